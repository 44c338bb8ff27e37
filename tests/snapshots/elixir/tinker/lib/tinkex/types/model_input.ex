defmodule Tinkex.Types.ModelInput do
  @moduledoc """
  The `ModelInput` type of the tinker API.
  """

  alias Tinkex.Runtime.Codec
  alias Tinkex.Types.EncodedTextChunk
  alias Tinkex.Types.ImageAssetPointerChunk
  alias Tinkex.Types.ImageChunk
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

  @doc """
  A copy of the input with `chunk` appended. A copy of the value; invalid values are an
  `:invalid_argument` error (raised).
  """
  @spec append(t(), ModelInputChunk.t()) :: t()
  def append(%__MODULE__{} = value, chunk) do
    Codec.push(value, __MODULE__, "chunks", Codec.encode(chunk, ModelInputChunk), nil)
  end

  @doc """
  A copy of the input with `token` appended: to the last chunk when it is encoded text, else as a
  new encoded-text chunk. A copy of the value; invalid values are an `:invalid_argument` error
  (raised).
  """
  @spec append_int(t(), integer()) :: t()
  def append_int(%__MODULE__{} = value, token) do
    Codec.push(
      value,
      __MODULE__,
      "chunks",
      %{"type" => "encoded_text", "tokens" => [Codec.encode(token, :integer)]},
      {"tokens", "type", "encoded_text"}
    )
  end

  @doc """
  The number of tokens of the input: each chunk's own `length` added up (an image chunk's is its
  `expected_tokens`); a chunk without one is an invalid-argument error. A value it cannot answer
  for (what it reads is absent, or an item lacks it) is an `:invalid_argument` error (raised).
  """
  @spec length(t()) :: integer()
  def length(%__MODULE__{} = value) do
    Codec.evaluate(
      value,
      {
        :sum,
        {
          :call,
          {:path, [:chunks, :each]},
          true,
          [
            {EncodedTextChunk, {:len, {:path, [:tokens]}}},
            {ImageAssetPointerChunk, {:required, {:path, [:expected_tokens]}}},
            {ImageChunk, {:required, {:path, [:expected_tokens]}}}
          ]
        }
      }
    )
  end
end
