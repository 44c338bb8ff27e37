defmodule Tinkex.AdminClient do
  @moduledoc """
  Audit log, billing usage and API-key endpoints (0.38 AdminClient and CLI).

  A struct: `new/1` makes one from a configuration.

  Every function answers `{:ok, value}` or `{:error, %Tinkex.Error{}}`; one whose result the
  server computes later answers `{:ok, task}` (`Task.await/2` gives the result).
  """

  alias Tinkex.API.Admin
  alias Tinkex.API.Auth
  alias Tinkex.API.Billing
  alias Tinkex.Config
  alias Tinkex.Error
  alias Tinkex.Runtime.Client
  alias Tinkex.Types.AuditLogResponse
  alias Tinkex.Types.AuthTokenResponse
  alias Tinkex.Types.BillingUsageResponse
  alias Tinkex.Types.CurrentCheckpointStorageUsageResponse
  alias Tinkex.Types.SelfApiKeyResponse

  defstruct [:config, :context]

  @typedoc "A client: its state and configuration."
  @type t :: %__MODULE__{config: Config.t(), context: term()}

  @typedoc "A call's value, or the error."
  @type result(value) :: {:ok, value} | {:error, Error.t()}

  @doc """
  A client from options: those of `Tinkex.Config` (`:api_key`, `:base_url`, ...) or `:config`.
  Raises `ArgumentError` for an invalid configuration.
  """
  @spec new(keyword()) :: t()
  def new(opts \\ []) do
    case Client.new_struct(__MODULE__, opts) do
      {:ok, client} -> client
      {:error, %Error{message: message}} -> raise ArgumentError, message
    end
  end

  @doc false
  def __client__, do: %{process: false, state: [], counters: []}

  @doc """
  A copy of the client whose calls use these request options by default (`:timeout` in
  milliseconds, `:max_retries`, `:headers`, `:query`, `:body`, `:idempotency_key`), over the
  client's own. The copy shares the client's connections, session and telemetry; a call's own
  `:request_options` win over it (headers, query and body merge). An unknown option raises
  `ArgumentError`.
  """
  @spec with_options(t(), keyword()) :: t()
  def with_options(admin, request_options), do: Client.with_options(admin, request_options)

  @doc """
  Organization audit log for one UTC day (admin role).

  `GET /api/v1/audit`

  ## Options

    * `:event_type` (default: `"all"`)
    * `:day` - UTC day (YYYY-MM-DD); the server defaults to today.
    * `:timeout` - the HTTP timeout of this call's requests, in milliseconds
    * `:request_options` - this call's options: `:timeout` (ms), `:max_retries`, `:headers`, `:query`, `:body`, `:idempotency_key`
  """
  @spec get_audit_log(t(), keyword()) :: result(AuditLogResponse.t())
  def get_audit_log(admin, opts \\ []) do
    Client.check_options!(opts, [:event_type, :day], "get_audit_log/2")
    event_type = Keyword.get(opts, :event_type, "all")
    day = Keyword.get(opts, :day)
    c = Client.handle(admin, opts)
    Admin.audit_log(%{event_type: event_type, day: day}, client: c)
  end

  @doc "Like `get_audit_log/2`, in a `Task` (`Task.await/2` gives its result)."
  @spec get_audit_log_async(t(), keyword()) :: Task.t()
  def get_audit_log_async(admin, opts \\ []) do
    Task.async(fn -> get_audit_log(admin, opts) end)
  end

  @doc """
  Hourly billing usage events for a window of at most 14 days (billing view role).

  `GET /api/v1/billing/usage/events`

  ## Options

    * `:timeout` - the HTTP timeout of this call's requests, in milliseconds
    * `:request_options` - this call's options: `:timeout` (ms), `:max_retries`, `:headers`, `:query`, `:body`, `:idempotency_key`
  """
  @spec get_billing_usage(
          t(),
          DateTime.t() | NaiveDateTime.t(),
          DateTime.t() | NaiveDateTime.t(),
          keyword()
        ) :: result(BillingUsageResponse.t())
  def get_billing_usage(admin, starting_on, ending_before, opts \\ []) do
    Client.check_options!(opts, [], "get_billing_usage/4")
    c = Client.handle(admin, opts)
    Billing.usage_events(%{starting_on: starting_on, ending_before: ending_before}, client: c)
  end

  @doc "Like `get_billing_usage/4`, in a `Task` (`Task.await/2` gives its result)."
  @spec get_billing_usage_async(
          t(),
          DateTime.t() | NaiveDateTime.t(),
          DateTime.t() | NaiveDateTime.t(),
          keyword()
        ) :: Task.t()
  def get_billing_usage_async(admin, starting_on, ending_before, opts \\ []) do
    Task.async(fn -> get_billing_usage(admin, starting_on, ending_before, opts) end)
  end

  @doc """
  Current checkpoint count, size and projected storage cost, grouped by project and owner.

  `GET /api/v1/billing/usage/checkpoints/current`

  ## Options

    * `:project_id` - Only this project; the whole organization when omitted.
    * `:timeout` - the HTTP timeout of this call's requests, in milliseconds
    * `:request_options` - this call's options: `:timeout` (ms), `:max_retries`, `:headers`, `:query`, `:body`, `:idempotency_key`
  """
  @spec get_current_checkpoint_storage_usage(t(), keyword()) ::
          result(CurrentCheckpointStorageUsageResponse.t())
  def get_current_checkpoint_storage_usage(admin, opts \\ []) do
    Client.check_options!(opts, [:project_id], "get_current_checkpoint_storage_usage/2")
    project_id = Keyword.get(opts, :project_id)
    c = Client.handle(admin, opts)
    Billing.checkpoint_storage_current(%{project_id: project_id}, client: c)
  end

  @doc "Like `get_current_checkpoint_storage_usage/2`, in a `Task` (`Task.await/2` gives its result)."
  @spec get_current_checkpoint_storage_usage_async(t(), keyword()) :: Task.t()
  def get_current_checkpoint_storage_usage_async(admin, opts \\ []) do
    Task.async(fn -> get_current_checkpoint_storage_usage(admin, opts) end)
  end

  @doc """
  Exchange the caller's credential for a short-lived JWT.

  `POST /api/v1/auth/token`

  ## Options

    * `:timeout` - the HTTP timeout of this call's requests, in milliseconds
    * `:request_options` - this call's options: `:timeout` (ms), `:max_retries`, `:headers`, `:query`, `:body`, `:idempotency_key`
  """
  @spec auth_token(t(), keyword()) :: result(AuthTokenResponse.t())
  def auth_token(admin, opts \\ []) do
    Client.check_options!(opts, [], "auth_token/2")
    c = Client.handle(admin, opts)
    Auth.token(client: c)
  end

  @doc "Like `auth_token/2`, in a `Task` (`Task.await/2` gives its result)."
  @spec auth_token_async(t(), keyword()) :: Task.t()
  def auth_token_async(admin, opts \\ []) do
    Task.async(fn -> auth_token(admin, opts) end)
  end

  @doc """
  Verify the API key in X-API-Key and return its public metadata.

  `GET /api/v1/auth/apikey/me`

  ## Options

    * `:timeout` - the HTTP timeout of this call's requests, in milliseconds
    * `:request_options` - this call's options: `:timeout` (ms), `:max_retries`, `:headers`, `:query`, `:body`, `:idempotency_key`
  """
  @spec get_self_api_key(t(), keyword()) :: result(SelfApiKeyResponse.t())
  def get_self_api_key(admin, opts \\ []) do
    Client.check_options!(opts, [], "get_self_api_key/2")
    c = Client.handle(admin, opts)
    Auth.get_self_api_key(client: c)
  end

  @doc "Like `get_self_api_key/2`, in a `Task` (`Task.await/2` gives its result)."
  @spec get_self_api_key_async(t(), keyword()) :: Task.t()
  def get_self_api_key_async(admin, opts \\ []) do
    Task.async(fn -> get_self_api_key(admin, opts) end)
  end

  @doc """
  Revoke the API key presented in X-API-Key.

  `DELETE /api/v1/auth/apikey/me`

  ## Options

    * `:timeout` - the HTTP timeout of this call's requests, in milliseconds
    * `:request_options` - this call's options: `:timeout` (ms), `:max_retries`, `:headers`, `:query`, `:body`, `:idempotency_key`
  """
  @spec delete_self_api_key(t(), keyword()) :: result(nil)
  def delete_self_api_key(admin, opts \\ []) do
    Client.check_options!(opts, [], "delete_self_api_key/2")
    c = Client.handle(admin, opts)
    Auth.delete_self_api_key(client: c)
  end

  @doc "Like `delete_self_api_key/2`, in a `Task` (`Task.await/2` gives its result)."
  @spec delete_self_api_key_async(t(), keyword()) :: Task.t()
  def delete_self_api_key_async(admin, opts \\ []) do
    Task.async(fn -> delete_self_api_key(admin, opts) end)
  end

  @doc "Queues a telemetry event (the manifest's `generic` kind): never blocks, never fails."
  @spec log_event(t(), String.t(), map()) :: :ok
  def log_event(admin, name, data \\ %{}), do: Client.log_event(Client.handle(admin), name, data)

  @doc false
  def __methods__ do
    [
      {
        :get_audit_log,
        "get_audit_log",
        [],
        [
          {
            :event_type,
            "event_type",
            {
              :one_of,
              [
                {:literal, "all"},
                {:literal, "checkpoints"},
                {:literal, "projects"},
                {:literal, "teams"},
                {:literal, "organizations"}
              ]
            }
          },
          {:day, "day", {:nullable, :date}}
        ],
        :sync
      },
      {
        :get_billing_usage,
        "get_billing_usage",
        [{:starting_on, "starting_on", :datetime}, {:ending_before, "ending_before", :datetime}],
        [],
        :sync
      },
      {
        :get_current_checkpoint_storage_usage,
        "get_current_checkpoint_storage_usage",
        [],
        [{:project_id, "project_id", {:nullable, :string}}],
        :sync
      },
      {:auth_token, "auth_token", [], [], :sync},
      {:get_self_api_key, "get_self_api_key", [], [], :sync},
      {:delete_self_api_key, "delete_self_api_key", [], [], :sync}
    ]
  end
end
