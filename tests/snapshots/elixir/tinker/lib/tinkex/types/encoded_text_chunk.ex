defmodule Tinkex.Types.EncodedTextChunk do
  @moduledoc """
  The `EncodedTextChunk` type of the tinker API.
  """

  alias Tinkex.Runtime.Codec

  defstruct tokens: nil, type: "encoded_text"

  @type t :: %__MODULE__{tokens: [integer()], type: String.t()}

  @fields [
    {:tokens, "tokens", {:list, :integer}, :required},
    {:type, "type", {:literal, "encoded_text"}, :optional}
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

  @doc """
  The number of tokens of the chunk.
  """
  @spec length(t()) :: integer()
  def length(%__MODULE__{} = value), do: Codec.evaluate(value, {:len, {:path, [:tokens]}})
end
