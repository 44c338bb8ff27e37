defmodule Tinkex.Types.SaveWeightsRequest do
  @moduledoc """
  The `SaveWeightsRequest` type of the tinker API.
  """

  alias Tinkex.Runtime.Codec
  alias Tinkex.Types.ModelID

  defstruct model_id: nil,
            path: nil,
            seq_id: nil,
            ttl_seconds: nil,
            overwrite: false,
            user_metadata: nil,
            type: "save_weights"

  @type t :: %__MODULE__{
          model_id: ModelID.t(),
          path: String.t() | nil,
          seq_id: integer() | nil,
          ttl_seconds: integer() | nil,
          overwrite: boolean(),
          user_metadata: %{optional(String.t()) => String.t()} | nil,
          type: String.t()
        }

  @fields [
    {:model_id, "model_id", ModelID, :required},
    {:path, "path", {:nullable, :string}, :optional},
    {:seq_id, "seq_id", {:nullable, :integer}, :optional},
    {:ttl_seconds, "ttl_seconds", {:nullable, :integer}, :optional},
    {:overwrite, "overwrite", :boolean, :optional},
    {:user_metadata, "user_metadata", {:nullable, {:map, :string}}, :optional},
    {:type, "type", {:literal, "save_weights"}, :optional}
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
