defmodule Tinkex.Types.Checkpoint do
  @moduledoc """
  The `Checkpoint` type of the tinker API.
  """

  alias Tinkex.Runtime.Codec
  alias Tinkex.Types.CheckpointType

  defstruct checkpoint_id: nil,
            checkpoint_type: nil,
            time: nil,
            tinker_path: nil,
            training_run_id: nil,
            size_bytes: nil,
            public: false,
            user_metadata: nil,
            expires_at: nil

  @type t :: %__MODULE__{
          checkpoint_id: String.t(),
          checkpoint_type: CheckpointType.t(),
          time: DateTime.t() | NaiveDateTime.t(),
          tinker_path: String.t(),
          training_run_id: String.t() | nil,
          size_bytes: integer() | nil,
          public: boolean(),
          user_metadata: %{optional(String.t()) => String.t()} | nil,
          expires_at: DateTime.t() | NaiveDateTime.t() | nil
        }

  @fields [
    {:checkpoint_id, "checkpoint_id", :string, :required},
    {:checkpoint_type, "checkpoint_type", CheckpointType, :required},
    {:time, "time", :datetime, :required},
    {:tinker_path, "tinker_path", :string, :required},
    {:training_run_id, "training_run_id", {:nullable, :string}, :optional},
    {:size_bytes, "size_bytes", {:nullable, :integer}, :optional},
    {:public, "public", :boolean, :optional},
    {:user_metadata, "user_metadata", {:nullable, {:map, :string}}, :optional},
    {:expires_at, "expires_at", {:nullable, :datetime}, :optional}
  ]

  @derived [
    {
      :training_run_id,
      :tinker_path,
      "tinker://{training_run_id}/{+checkpoint_id}",
      "training_run_id"
    }
  ]

  @doc false
  def __type__, do: {:record, @fields}

  @doc false
  def __derived__, do: @derived

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
