defmodule Tinkex.Types.SampledSequence do
  @moduledoc """
  A single sampled sequence from the model.
  """

  alias Tinkex.Runtime.Codec
  alias Tinkex.Types.StopReason
  alias Tinkex.Types.TokenLogprob

  defstruct stop_reason: nil, tokens: nil, logprobs: nil, topk_logprobs: nil, sequence_id: nil

  @type t :: %__MODULE__{
          stop_reason: StopReason.t(),
          tokens: [integer()],
          logprobs: [float()] | nil,
          topk_logprobs: [[TokenLogprob.t()] | nil] | nil,
          sequence_id: String.t() | nil
        }

  @fields [
    {:stop_reason, "stop_reason", StopReason, :required},
    {:tokens, "tokens", {:list, :integer}, :required},
    {:logprobs, "logprobs", {:nullable, {:list, :float}}, :optional},
    {
      :topk_logprobs,
      "topk_logprobs",
      {:nullable, {:list, {:nullable, {:list, TokenLogprob}}}},
      :optional
    },
    {:sequence_id, "sequence_id", {:nullable, :string}, :optional}
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
