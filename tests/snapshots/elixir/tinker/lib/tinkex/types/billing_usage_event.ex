defmodule Tinkex.Types.BillingUsageEvent do
  @moduledoc """
  One hourly bucket of billing usage.
  """

  alias Tinkex.Runtime.Codec
  alias Tinkex.Types.BillingEventInfo

  defstruct bucket_start: nil,
            bucket_end: nil,
            base_model: nil,
            user_id: nil,
            user_name: nil,
            session_id: nil,
            project_id: nil,
            estimated_cost_usd: nil,
            effective_rate_usd_per_million_tokens: nil,
            effective_rate_usd_per_gigabyte_month: nil,
            event_info: nil

  @type t :: %__MODULE__{
          bucket_start: DateTime.t() | NaiveDateTime.t(),
          bucket_end: DateTime.t() | NaiveDateTime.t(),
          base_model: String.t() | nil,
          user_id: String.t() | nil,
          user_name: String.t() | nil,
          session_id: String.t() | nil,
          project_id: String.t() | nil,
          estimated_cost_usd: float() | nil,
          effective_rate_usd_per_million_tokens: float() | nil,
          effective_rate_usd_per_gigabyte_month: float() | nil,
          event_info: BillingEventInfo.t()
        }

  @fields [
    {:bucket_start, "bucket_start", :datetime, :required},
    {:bucket_end, "bucket_end", :datetime, :required},
    {:base_model, "base_model", {:nullable, :string}, :optional},
    {:user_id, "user_id", {:nullable, :string}, :optional},
    {:user_name, "user_name", {:nullable, :string}, :optional},
    {:session_id, "session_id", {:nullable, :string}, :optional},
    {:project_id, "project_id", {:nullable, :string}, :optional},
    {:estimated_cost_usd, "estimated_cost_usd", {:nullable, :float}, :optional},
    {
      :effective_rate_usd_per_million_tokens,
      "effective_rate_usd_per_million_tokens",
      {:nullable, :float},
      :optional
    },
    {
      :effective_rate_usd_per_gigabyte_month,
      "effective_rate_usd_per_gigabyte_month",
      {:nullable, :float},
      :optional
    },
    {:event_info, "event_info", BillingEventInfo, :required}
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
