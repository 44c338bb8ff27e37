defmodule Tinkex.Types.CurrentCheckpointStorageUsageItem do
  @moduledoc """
  HTTP/JSON response item returned by the API server to SDK and CLI consumers.
  """

  alias Tinkex.Runtime.Codec

  defstruct project_id: nil,
            org_user_urn: nil,
            user_email: nil,
            user_name: nil,
            checkpoint_count: nil,
            size_bytes: nil,
            size_gigabytes: nil,
            estimated_monthly_cost_usd: nil

  @type t :: %__MODULE__{
          project_id: String.t() | nil,
          org_user_urn: String.t() | nil,
          user_email: String.t() | nil,
          user_name: String.t() | nil,
          checkpoint_count: integer(),
          size_bytes: integer(),
          size_gigabytes: float(),
          estimated_monthly_cost_usd: float() | nil
        }

  @fields [
    {:project_id, "project_id", {:nullable, :string}, :optional},
    {:org_user_urn, "org_user_urn", {:nullable, :string}, :optional},
    {:user_email, "user_email", {:nullable, :string}, :optional},
    {:user_name, "user_name", {:nullable, :string}, :optional},
    {:checkpoint_count, "checkpoint_count", :integer, :required},
    {:size_bytes, "size_bytes", :integer, :required},
    {:size_gigabytes, "size_gigabytes", :float, :required},
    {:estimated_monthly_cost_usd, "estimated_monthly_cost_usd", {:nullable, :float}, :optional}
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
