defmodule Tinkex.Types.Datum do
  @moduledoc """
  The `Datum` type of the tinker API.
  """

  alias Tinkex.Runtime.Codec
  alias Tinkex.Types.LossFnInputs
  alias Tinkex.Types.ModelInput
  alias Tinkex.Types.ProvenanceSpans

  defstruct model_input: nil,
            loss_fn_inputs: %{},
            model_input_spans: nil,
            loss_fn_input_spans: nil

  @type t :: %__MODULE__{
          model_input: ModelInput.t(),
          loss_fn_inputs: LossFnInputs.t(),
          model_input_spans: ProvenanceSpans.t() | nil,
          loss_fn_input_spans: ProvenanceSpans.t() | nil
        }

  @fields [
    {:model_input, "model_input", ModelInput, :required},
    {:loss_fn_inputs, "loss_fn_inputs", LossFnInputs, :optional},
    {:model_input_spans, "model_input_spans", {:nullable, ProvenanceSpans}, :optional},
    {:loss_fn_input_spans, "loss_fn_input_spans", {:nullable, ProvenanceSpans}, :optional}
  ]

  @doc false
  def __type__, do: {:record, @fields}

  @doc "Builds the struct from a keyword list or map (field names or wire names as keys)."
  @spec new(keyword() | map()) :: t()
  def new(attrs \\ []), do: Codec.new(__MODULE__, attrs)

  @doc "Decodes the JSON form (a map with wire names as keys)."
  @spec decode(term()) :: {:ok, t()} | {:error, Codec.error()}
  def decode(json), do: Codec.decode(json, __MODULE__)

  @doc "Like `decode/1`; raises `ArgumentError` when the JSON does not fit."
  @spec from_json(map()) :: t()
  def from_json(json), do: Codec.decode!(json, __MODULE__)

  @doc "Same as `from_json/1`."
  @spec from_map(map()) :: t()
  def from_map(map), do: from_json(map)

  @doc "The JSON form: wire names as keys, optional fields left out when nil."
  @spec to_json(t()) :: map()
  def to_json(struct), do: Codec.encode(struct, __MODULE__)

  @doc "Same as `to_json/1` (the map `from_map/1` reads back)."
  @spec to_map(t()) :: map()
  def to_map(struct), do: to_json(struct)
end
