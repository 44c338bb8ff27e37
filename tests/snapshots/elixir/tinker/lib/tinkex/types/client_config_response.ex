defmodule Tinkex.Types.ClientConfigResponse do
  @moduledoc """
  Server-side feature flags resolved for this caller.
  """

  alias Tinkex.Runtime.Codec

  defstruct pjwt_auth_enabled: false,
            credential_default_source: "api_key",
            sample_dispatch_bytes_semaphore_size: 10_485_760,
            inflight_response_bytes_semaphore_size: 52_428_800,
            parallel_fwdbwd_chunks: true,
            proto_compress_fwdbwd: false,
            fwdbwd_max_chunk_len: 1024,
            fwdbwd_max_chunk_bytes_count: 5_000_000,
            fwdbwd_dispatch_bytes_semaphore_size: 50_000_000,
            billing_exception_max_pause_duration_sec: 3600,
            sample_no_retries: false,
            sample_enable_stuck_detection: true,
            sample_max_concurrent_requests: 2000,
            use_pyqwest_transport: true,
            sample_use_retrieve_futures: false,
            custom_loss_server_side: false,
            sample_join_sampling_session: false

  @type t :: %__MODULE__{
          pjwt_auth_enabled: boolean(),
          credential_default_source: String.t(),
          sample_dispatch_bytes_semaphore_size: integer(),
          inflight_response_bytes_semaphore_size: integer(),
          parallel_fwdbwd_chunks: boolean(),
          proto_compress_fwdbwd: boolean(),
          fwdbwd_max_chunk_len: integer(),
          fwdbwd_max_chunk_bytes_count: integer(),
          fwdbwd_dispatch_bytes_semaphore_size: integer(),
          billing_exception_max_pause_duration_sec: integer(),
          sample_no_retries: boolean(),
          sample_enable_stuck_detection: boolean(),
          sample_max_concurrent_requests: integer(),
          use_pyqwest_transport: boolean(),
          sample_use_retrieve_futures: boolean(),
          custom_loss_server_side: boolean(),
          sample_join_sampling_session: boolean()
        }

  @fields [
    {:pjwt_auth_enabled, "pjwt_auth_enabled", :boolean, :optional},
    {:credential_default_source, "credential_default_source", :string, :optional},
    {
      :sample_dispatch_bytes_semaphore_size,
      "sample_dispatch_bytes_semaphore_size",
      :integer,
      :optional
    },
    {
      :inflight_response_bytes_semaphore_size,
      "inflight_response_bytes_semaphore_size",
      :integer,
      :optional
    },
    {:parallel_fwdbwd_chunks, "parallel_fwdbwd_chunks", :boolean, :optional},
    {:proto_compress_fwdbwd, "proto_compress_fwdbwd", :boolean, :optional},
    {:fwdbwd_max_chunk_len, "fwdbwd_max_chunk_len", :integer, :optional},
    {:fwdbwd_max_chunk_bytes_count, "fwdbwd_max_chunk_bytes_count", :integer, :optional},
    {
      :fwdbwd_dispatch_bytes_semaphore_size,
      "fwdbwd_dispatch_bytes_semaphore_size",
      :integer,
      :optional
    },
    {
      :billing_exception_max_pause_duration_sec,
      "billing_exception_max_pause_duration_sec",
      :integer,
      :optional
    },
    {:sample_no_retries, "sample_no_retries", :boolean, :optional},
    {:sample_enable_stuck_detection, "sample_enable_stuck_detection", :boolean, :optional},
    {:sample_max_concurrent_requests, "sample_max_concurrent_requests", :integer, :optional},
    {:use_pyqwest_transport, "use_pyqwest_transport", :boolean, :optional},
    {:sample_use_retrieve_futures, "sample_use_retrieve_futures", :boolean, :optional},
    {:custom_loss_server_side, "custom_loss_server_side", :boolean, :optional},
    {:sample_join_sampling_session, "sample_join_sampling_session", :boolean, :optional}
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
