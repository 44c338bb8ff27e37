defmodule Tinkex.Types.CreateCustomLossRequest do
  @moduledoc """
  The `CreateCustomLossRequest` type of the tinker API.
  """

  alias Tinkex.Runtime.Codec
  alias Tinkex.Types.CustomLossGraph
  alias Tinkex.Types.CustomLossInput

  defstruct session_id: nil,
            custom_loss_seq_id: nil,
            name: nil,
            inputs: nil,
            graph: nil,
            type: "create_custom_loss"

  @type t :: %__MODULE__{
          session_id: String.t(),
          custom_loss_seq_id: integer(),
          name: String.t(),
          inputs: [CustomLossInput.t()],
          graph: CustomLossGraph.t(),
          type: String.t()
        }

  @fields [
    {:session_id, "session_id", :string, :required},
    {:custom_loss_seq_id, "custom_loss_seq_id", :integer, :required},
    {:name, "name", :string, :required},
    {:inputs, "inputs", {:list, CustomLossInput}, :required},
    {:graph, "graph", CustomLossGraph, :required},
    {:type, "type", {:literal, "create_custom_loss"}, :optional}
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
