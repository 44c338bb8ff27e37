defmodule Tinkex.Types.ImageAssetPointerChunk do
  @moduledoc """
  The `ImageAssetPointerChunk` type of the tinker API.
  """

  alias Tinkex.Runtime.Codec

  defstruct format: nil, location: nil, expected_tokens: nil, type: "image_asset_pointer"

  @type t :: %__MODULE__{
          format: String.t(),
          location: String.t(),
          expected_tokens: integer() | nil,
          type: String.t()
        }

  @fields [
    {:format, "format", {:one_of, [{:literal, "png"}, {:literal, "jpeg"}]}, :required},
    {:location, "location", :string, :required},
    {:expected_tokens, "expected_tokens", {:nullable, :integer}, :optional},
    {:type, "type", {:literal, "image_asset_pointer"}, :optional}
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
  The tokens the image stands for (`expected_tokens`); an invalid-argument error when it is
  absent. A value it cannot answer for (what it reads is absent, or an item lacks it) is an
  `:invalid_argument` error (raised).
  """
  @spec length(t()) :: integer()
  def length(%__MODULE__{} = value) do
    Codec.evaluate(value, {:required, {:path, [:expected_tokens]}})
  end
end
