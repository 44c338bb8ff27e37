defmodule Tinkex.Types.SessionSearchRequest do
  @moduledoc """
  A session search. Results are restricted to projects the caller may list.
  """

  alias Tinkex.Runtime.Codec
  alias Tinkex.Types.OwnSearchOwner
  alias Tinkex.Types.SearchOwner
  alias Tinkex.Types.SessionSearchCursor
  alias Tinkex.Types.SessionStatusQuery

  defstruct session_id: nil,
            project_ids: nil,
            user_metadata: %{},
            display_name: nil,
            owner: %OwnSearchOwner{type: "own"},
            statuses: nil,
            limit: 50,
            cursor: nil

  @type t :: %__MODULE__{
          session_id: String.t() | nil,
          project_ids: [String.t()] | nil,
          user_metadata: %{optional(String.t()) => String.t()},
          display_name: String.t() | nil,
          owner: SearchOwner.t(),
          statuses: [SessionStatusQuery.t()] | nil,
          limit: integer(),
          cursor: SessionSearchCursor.t() | nil
        }

  @fields [
    {:session_id, "session_id", {:nullable, :string}, :optional},
    {:project_ids, "project_ids", {:nullable, {:list, :string}}, :optional},
    {:user_metadata, "user_metadata", {:map, :string}, :optional},
    {:display_name, "display_name", {:nullable, :string}, :optional},
    {:owner, "owner", SearchOwner, :optional},
    {:statuses, "statuses", {:nullable, {:list, SessionStatusQuery}}, :optional},
    {:limit, "limit", :integer, :optional},
    {:cursor, "cursor", {:nullable, SessionSearchCursor}, :optional}
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
