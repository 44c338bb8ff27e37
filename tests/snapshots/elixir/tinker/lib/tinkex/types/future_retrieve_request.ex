defmodule Tinkex.Types.FutureRetrieveRequest do
  @moduledoc """
  The `FutureRetrieveRequest` type of the tinker API.
  """

  alias Tinkex.Runtime.Codec
  alias Tinkex.Types.RequestID

  defstruct request_id: nil, allow_metadata_only: false

  @type t :: %__MODULE__{request_id: RequestID.t(), allow_metadata_only: boolean()}

  @fields [
    {:request_id, "request_id", RequestID, :required},
    {:allow_metadata_only, "allow_metadata_only", :boolean, :optional}
  ]

  @doc false
  def __type__, do: {:record, @fields}

  @doc """
  Builds the struct from a keyword list or map (field names or wire names as keys), or, given the
  lone positional argument of `new/2`, as `new/2` with no options.
  """
  @spec new(keyword() | map() | RequestID.t()) :: t()
  def new(attrs \\ [])
  def new(request_id) when is_binary(request_id), do: new(request_id, [])
  def new(attrs), do: Codec.new(__MODULE__, attrs)

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
  A retrieve request for `request_id` (Tinkex's positional form); option `allow_metadata_only`
  (false). Invalid values are an `:invalid_argument` error (raised). Options:
  `:allow_metadata_only` (default `false`) (an unknown one is an `ArgumentError`).
  """
  @spec new(RequestID.t(), keyword()) :: t()
  def new(request_id, opts) do
    opts = Keyword.validate!(opts, allow_metadata_only: false)

    Codec.construct(
      __MODULE__,
      %{
        "request_id" => Codec.encode(request_id, RequestID),
        "allow_metadata_only" => Codec.encode(opts[:allow_metadata_only], :boolean)
      }
    )
  end
end
