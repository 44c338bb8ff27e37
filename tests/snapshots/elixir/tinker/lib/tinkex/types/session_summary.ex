defmodule Tinkex.Types.SessionSummary do
  @moduledoc """
  The `SessionSummary` type of the tinker API.
  """

  alias Tinkex.Runtime.Codec
  alias Tinkex.Types.SessionStatus

  defstruct session_id: nil,
            created_at: nil,
            owner: nil,
            project_id: nil,
            status: nil,
            checkpoints_count: nil,
            display_name: nil,
            user_metadata: nil,
            checkpoint_storage_bytes: nil

  @type t :: %__MODULE__{
          session_id: String.t(),
          created_at: DateTime.t() | NaiveDateTime.t(),
          owner: String.t(),
          project_id: String.t(),
          status: SessionStatus.t() | nil,
          checkpoints_count: integer(),
          display_name: String.t() | nil,
          user_metadata: %{optional(String.t()) => String.t()} | nil,
          checkpoint_storage_bytes: integer() | nil
        }

  @fields [
    {:session_id, "session_id", :string, :required},
    {:created_at, "created_at", :datetime, :required},
    {:owner, "owner", :string, :required},
    {:project_id, "project_id", :string, :required},
    {:status, "status", {:nullable, SessionStatus}, :optional},
    {:checkpoints_count, "checkpoints_count", :integer, :required},
    {:display_name, "display_name", {:nullable, :string}, :optional},
    {:user_metadata, "user_metadata", {:nullable, {:map, :string}}, :optional},
    {:checkpoint_storage_bytes, "checkpoint_storage_bytes", {:nullable, :integer}, :optional}
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
