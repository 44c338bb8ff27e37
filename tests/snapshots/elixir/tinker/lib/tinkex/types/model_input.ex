defmodule Tinkex.Types.ModelInput do
  @moduledoc """
  The `ModelInput` type of the tinker API.
  """

  alias Tinkex.Runtime.Codec
  alias Tinkex.Types.EncodedTextChunk
  alias Tinkex.Types.ModelInputChunk

  defstruct chunks: nil

  @type t :: %__MODULE__{chunks: [ModelInputChunk.t()]}

  @fields [{:chunks, "chunks", {:list, ModelInputChunk}, :required}]

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
  A model input without chunks. Invalid values are an `:invalid_argument` error (raised).
  """
  @spec empty() :: t()
  def empty(), do: Codec.construct(__MODULE__, %{"chunks" => []})

  @doc """
  A model input of one encoded-text chunk holding `tokens`. Invalid values are an
  `:invalid_argument` error (raised).
  """
  @spec from_ints([integer()]) :: t()
  def from_ints(tokens) do
    Codec.construct(
      __MODULE__,
      %{
        "chunks" => [
          %{"type" => "encoded_text", "tokens" => Codec.encode(tokens, {:list, :integer})}
        ]
      }
    )
  end

  @doc """
  The tokens of every chunk, in order; a chunk that is not encoded text is an invalid-argument
  error. A union item without the field read is an `:invalid_argument` error (raised).
  """
  @spec to_ints(t()) :: [integer()]
  def to_ints(%__MODULE__{} = value) do
    Codec.project(value, [:chunks, :each, {:tokens, [EncodedTextChunk]}, :each])
  end
end
