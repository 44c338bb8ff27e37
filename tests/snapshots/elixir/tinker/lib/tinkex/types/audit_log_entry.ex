defmodule Tinkex.Types.AuditLogEntry do
  @moduledoc """
  A single entry in the audit log.
  """

  alias Tinkex.Runtime.Codec

  defstruct timestamp: nil,
            event: nil,
            event_details: %{},
            model_id: nil,
            tinker_path: nil,
            purpose: nil

  @type t :: %__MODULE__{
          timestamp: DateTime.t() | NaiveDateTime.t(),
          event: String.t(),
          event_details: %{optional(String.t()) => term()},
          model_id: String.t() | nil,
          tinker_path: String.t() | nil,
          purpose: String.t() | nil
        }

  @fields [
    {:timestamp, "timestamp", :datetime, :required},
    {:event, "event", :string, :required},
    {:event_details, "event_details", {:map, :any}, :optional},
    {:model_id, "model_id", {:nullable, :string}, :optional},
    {:tinker_path, "tinker_path", {:nullable, :string}, :optional},
    {:purpose, "purpose", {:nullable, :string}, :optional}
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
