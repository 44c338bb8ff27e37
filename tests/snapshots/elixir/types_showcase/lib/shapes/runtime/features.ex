defmodule Shapes.Runtime.RetryPolicy do
  @moduledoc false
  # The manifest's retry_policy: statuses as inclusive ranges, durations in milliseconds.

  defstruct max_retries: 0,
            statuses: [],
            on_connection_error: false,
            on_timeout: false,
            base_ms: 0,
            max_ms: 0,
            jitter: 0.0,
            retry_after_max_ms: 0,
            # a response header whose "true"/"false" overrides the statuses (nil: none)
            should_retry_header: nil,
            # the policy a config option's profiles name: the chosen profile's retry count replaces
            # max_retries (Config's `max_retries`)
            profiled: false

  @type t :: %__MODULE__{
          max_retries: non_neg_integer(),
          statuses: [{pos_integer(), pos_integer()}],
          on_connection_error: boolean(),
          on_timeout: boolean(),
          base_ms: non_neg_integer(),
          max_ms: non_neg_integer(),
          jitter: float(),
          retry_after_max_ms: non_neg_integer(),
          should_retry_header: String.t() | nil,
          profiled: boolean()
        }
end

defmodule Shapes.Runtime.RetryHandler do
  @moduledoc false
  # The manifest's retry_handler: at most `max_connections` requests in flight per client; transient
  # failures retried without an attempt limit until `progress_timeout_ms` passes without progress.

  defstruct [:id, :max_connections, :progress_timeout_ms, :base_ms, :max_ms, :jitter]

  @type t :: %__MODULE__{
          id: String.t(),
          max_connections: pos_integer(),
          progress_timeout_ms: pos_integer(),
          base_ms: non_neg_integer(),
          max_ms: non_neg_integer(),
          jitter: float()
        }
end

defmodule Shapes.Runtime.Backpressure do
  @moduledoc false
  # The manifest's sampling_backpressure: a header announcing it, and on one of `statuses` a pause
  # (small or large by request size) before sending again; the status never reaches the caller.

  defstruct statuses: [],
            small_delay_ms: 0,
            large_delay_ms: 0,
            small_request_bytes: 0,
            headers: [],
            fresh_idempotency_key: false

  # fresh_idempotency_key: the resend is a new request, with a new idempotency key (a transport
  # retry keeps the call's key)
  @type t :: %__MODULE__{
          statuses: [{pos_integer(), pos_integer()}],
          small_delay_ms: non_neg_integer(),
          large_delay_ms: non_neg_integer(),
          small_request_bytes: non_neg_integer(),
          headers: [{String.t(), String.t()}],
          fresh_idempotency_key: boolean()
        }
end

defmodule Shapes.Runtime.Futures do
  @moduledoc false

  alias Shapes.Runtime.Endpoint
  # The manifest's promise_result: how a server-side future is polled and how its answers read.

  defstruct [
    :id,
    :retrieve,
    :request_id_field,
    :result_field,
    :try_again_field,
    :try_again_value,
    :error_field,
    :category_field,
    :queue_state_field,
    :queue_state_reason_field,
    :timeout_ms,
    # headers every poll carries (the submitting endpoint's request type, the 0-based poll count)
    :request_type_header,
    :iteration_header,
    # request field sent true until a metadata-only answer, then false (nil: no such exchange)
    :metadata_only_field,
    categories: [],
    queue_states: [],
    pending_statuses: [],
    transient_base_ms: 0,
    transient_max_ms: 0,
    transient_jitter: 0.0,
    metadata_status_field: "status",
    metadata_status_value: "complete_metadata",
    # poll statuses: the promise expired (submit the call again), bounded retries, billing pause
    expired_statuses: [],
    expired_resubmits: 0,
    bounded_retry_statuses: [],
    bounded_retries: 0,
    billing_statuses: [],
    billing_delay_ms: 0,
    billing_max_pause_ms: 0
  ]

  @type t :: %__MODULE__{
          id: String.t(),
          retrieve: String.t() | Endpoint.t(),
          request_id_field: String.t(),
          result_field: String.t() | nil,
          try_again_field: String.t(),
          try_again_value: String.t(),
          error_field: String.t(),
          category_field: String.t(),
          queue_state_field: String.t() | nil,
          queue_state_reason_field: String.t() | nil,
          timeout_ms: pos_integer() | nil,
          categories: [String.t()],
          queue_states: [String.t()],
          pending_statuses: [{pos_integer(), pos_integer()}],
          transient_base_ms: non_neg_integer(),
          transient_max_ms: non_neg_integer(),
          transient_jitter: float(),
          request_type_header: String.t() | nil,
          iteration_header: String.t() | nil,
          metadata_only_field: String.t() | nil,
          metadata_status_field: String.t(),
          metadata_status_value: String.t(),
          expired_statuses: [{pos_integer(), pos_integer()}],
          expired_resubmits: non_neg_integer(),
          bounded_retry_statuses: [{pos_integer(), pos_integer()}],
          bounded_retries: non_neg_integer(),
          billing_statuses: [{pos_integer(), pos_integer()}],
          billing_delay_ms: non_neg_integer(),
          billing_max_pause_ms: non_neg_integer()
        }
end

defmodule Shapes.Runtime.QueueLog do
  @moduledoc false
  # The manifest's queue_state_observer: the queue-state changes of pending futures are logged at
  # `level`, at most once per `debounce_ms` for one feature, endpoint and key: the value of the
  # first of `key_fields` the calling client holds in its state (its sampling session, its model),
  # set in `key` for one call.

  defstruct [:id, :debounce_ms, :level, key_fields: [], key: nil]

  @type t :: %__MODULE__{
          id: String.t(),
          debounce_ms: non_neg_integer(),
          level: atom(),
          key_fields: [atom()],
          key: String.t() | nil
        }
end

defmodule Shapes.Runtime.Endpoint do
  @moduledoc false

  alias Shapes.Runtime.Backpressure
  alias Shapes.Runtime.Futures
  alias Shapes.Runtime.QueueLog
  alias Shapes.Runtime.RetryHandler
  alias Shapes.Runtime.RetryPolicy

  # What the manifest says about one endpoint. `path` is the template: `{name}` is percent-encoded,
  # `{+name}` inserted as it is (RFC 6570 reserved expansion).

  defstruct [
    :id,
    :method,
    :path,
    :retry,
    :idempotency_header,
    :backpressure,
    :handler,
    :futures,
    :queue_log,
    :timeout_ms,
    # a futures endpoint's request type, sent with every poll of its futures
    :request_type,
    headers: [],
    idempotency_prefix: "",
    redirect_location: false
  ]

  @type t :: %__MODULE__{
          id: String.t(),
          method: :get | :post | :put | :patch | :delete | :head | :options,
          path: String.t(),
          retry: RetryPolicy.t() | nil,
          idempotency_header: String.t() | nil,
          backpressure: Backpressure.t() | nil,
          handler: RetryHandler.t() | nil,
          futures: Futures.t() | nil,
          queue_log: QueueLog.t() | nil,
          timeout_ms: pos_integer() | nil,
          request_type: String.t() | nil,
          headers: [{String.t(), String.t()}],
          idempotency_prefix: String.t(),
          redirect_location: boolean()
        }
end

defmodule Shapes.Runtime.SessionSpec do
  @moduledoc false
  # The manifest's session_lifecycle: created on first use, kept alive by heartbeats.

  defstruct [
    :create,
    :heartbeat,
    :session_id_field,
    :interval_ms,
    :heartbeat_timeout_ms,
    :warn_after_ms,
    create_body: %{},
    heartbeat_body: %{},
    create_config: [],
    heartbeat_in_path: false,
    stop_statuses: []
  ]

  @type t :: %__MODULE__{
          create: String.t(),
          heartbeat: String.t() | nil,
          session_id_field: String.t(),
          interval_ms: pos_integer(),
          heartbeat_timeout_ms: pos_integer(),
          warn_after_ms: pos_integer() | nil,
          create_body: map(),
          heartbeat_body: map(),
          create_config: [{String.t(), atom(), boolean()}],
          heartbeat_in_path: boolean(),
          stop_statuses: [{pos_integer(), pos_integer()}]
        }
end

defmodule Shapes.Runtime.TelemetrySpec do
  @moduledoc false
  # The manifest's telemetry: events batched to `endpoint`. A batch is the endpoint's request
  # record: `events_field` holds the events; the session id, a process id, the platform and the
  # SDK's version go into the fields the manifest names. `kinds` gives, for each kind of event the
  # SDK reports (session_start, session_end, error, generic), the wire fields of its record and the
  # union tag that marks it.

  defstruct [
    :endpoint,
    :enabled_env,
    :batch_size,
    :flush_interval_ms,
    :max_queue_size,
    :timeout_ms,
    :drain_timeout_ms,
    :events_field,
    :session_id_field,
    :process_id_field,
    :platform_field,
    :sdk_version_field,
    :sdk_version,
    kinds: %{}
  ]

  @type kind :: %{fields: [String.t()], tag_field: String.t() | nil, tag: String.t() | nil}

  @type t :: %__MODULE__{
          endpoint: String.t(),
          enabled_env: String.t() | nil,
          batch_size: pos_integer(),
          flush_interval_ms: pos_integer(),
          max_queue_size: pos_integer(),
          timeout_ms: pos_integer(),
          drain_timeout_ms: non_neg_integer(),
          events_field: String.t(),
          session_id_field: String.t() | nil,
          process_id_field: String.t() | nil,
          platform_field: String.t() | nil,
          sdk_version_field: String.t() | nil,
          sdk_version: String.t(),
          kinds: %{optional(String.t()) => kind()}
        }
end

defmodule Shapes.Runtime.Service do
  @moduledoc false

  alias Shapes.Runtime.AuthSpec
  alias Shapes.Runtime.SessionSpec
  alias Shapes.Runtime.TelemetrySpec
  # The service-level facts of the manifest.

  defstruct [
    :name,
    :version,
    :sdk_version,
    :auth_header,
    :api_key_env,
    :base_url_env,
    :default_base_url,
    :timeout_ms,
    :user_agent,
    :session,
    :telemetry,
    :auth,
    :environment_env,
    environments: [],
    headers: [],
    config_options: [],
    server_config: [],
    # a config option's profiles: {option, [{name, timeout_ms | nil, max_retries | nil}],
    # the base retry count (the named policy's) | nil}; nil: no option has profiles
    profiles: nil
  ]

  # A declared configuration option: name, environment variable, how its text is read, default.
  @type config_option ::
          {atom(), String.t() | nil, :string | :int | :float | :bool | :list | :json | nil,
           {:default, term()} | :none}

  @type t :: %__MODULE__{
          name: String.t(),
          version: String.t(),
          sdk_version: String.t(),
          auth_header: String.t(),
          api_key_env: String.t() | nil,
          base_url_env: String.t() | nil,
          default_base_url: String.t() | nil,
          timeout_ms: pos_integer(),
          user_agent: String.t(),
          session: SessionSpec.t() | nil,
          telemetry: TelemetrySpec.t() | nil,
          auth: AuthSpec.t() | nil,
          environment_env: String.t() | nil,
          environments: [{String.t(), String.t()}],
          headers: [{String.t(), String.t()}],
          config_options: [config_option()],
          # the server_config feature: {endpoint id, body or nil} per fetch, in order
          server_config: [{String.t(), term()}],
          profiles:
            {atom(), [{String.t(), pos_integer() | nil, non_neg_integer() | nil}],
             non_neg_integer() | nil}
            | nil
        }
end

defmodule Shapes.Runtime.AuthSpec do
  @moduledoc false
  # The manifest's `service.auth` as the SDK plan decided it: the header's value is
  # `credential_prefix` + the credential (base64 when `credential_base64`), and after an exchange
  # `token_prefix` + the token. `exchange` (a map, or nil): the endpoint that exchanges the
  # credential, its body, the response's token field, the lifetime (the JWT claim or a response
  # field of seconds), the refresh window and margin, and whether it is on by default.

  defstruct [
    :header,
    :command_env,
    :exchange,
    credential_prefix: "",
    credential_base64: false,
    token_prefix: ""
  ]

  @type exchange :: %{
          endpoint: String.t(),
          body: term(),
          token_field: String.t(),
          lifetime_claim: String.t() | nil,
          lifetime_field: String.t() | nil,
          refresh_window: {number(), number()},
          refresh_before_sec: non_neg_integer(),
          enabled: boolean(),
          enable_env: String.t() | nil
        }

  @type t :: %__MODULE__{
          header: String.t(),
          command_env: String.t() | nil,
          exchange: exchange() | nil,
          credential_prefix: String.t(),
          credential_base64: boolean(),
          token_prefix: String.t()
        }
end
