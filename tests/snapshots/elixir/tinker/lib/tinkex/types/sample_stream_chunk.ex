defmodule Tinkex.Types.SampleStreamChunk do
  @moduledoc """
  One chunk of a streaming sample response (a token, the end of the stream, or an error).
  """

  alias Tinkex.Runtime.Codec
  alias Tinkex.Types.SampleStreamEventType

  defstruct token: nil,
            token_id: nil,
            index: nil,
            finish_reason: nil,
            total_tokens: nil,
            logprob: nil,
            event_type: :token

  @type t :: %__MODULE__{
          token: String.t() | nil,
          token_id: integer() | nil,
          index: integer() | nil,
          finish_reason: String.t() | nil,
          total_tokens: integer() | nil,
          logprob: float() | nil,
          event_type: SampleStreamEventType.t()
        }

  @fields [
    {:token, "token", {:nullable, :string}, :optional},
    {:token_id, "token_id", {:nullable, :integer}, :optional},
    {:index, "index", {:nullable, :integer}, :optional},
    {:finish_reason, "finish_reason", {:nullable, :string}, :optional},
    {:total_tokens, "total_tokens", {:nullable, :integer}, :optional},
    {:logprob, "logprob", {:nullable, :float}, :optional},
    {:event_type, "event_type", SampleStreamEventType, :optional}
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
  A chunk ending a stream, with its finish reason and token count. Invalid values are an
  `:invalid_argument` error (raised).
  """
  @spec done(String.t() | nil, integer() | nil) :: t()
  def done(finish_reason \\ nil, total_tokens \\ nil) do
    Codec.construct(
      __MODULE__,
      %{
        "finish_reason" => Codec.encode(finish_reason, {:nullable, :string}),
        "total_tokens" => Codec.encode(total_tokens, {:nullable, :integer}),
        "event_type" => "done"
      }
    )
  end

  @doc """
  An error chunk carrying `message` as its token. Invalid values are an `:invalid_argument` error
  (raised).
  """
  @spec error(String.t()) :: t()
  def error(message) do
    Codec.construct(
      __MODULE__,
      %{"token" => Codec.encode(message, {:nullable, :string}), "event_type" => "error"}
    )
  end

  @doc """
  Whether the chunk ends the stream (its event type is `done`).
  """
  @spec done?(t()) :: boolean()
  def done?(%__MODULE__{} = value) do
    Codec.evaluate(value, {:==, {:path, [:event_type]}, [:done]})
  end
end
