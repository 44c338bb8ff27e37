defmodule Tinkex.RestClient do
  @moduledoc """
  REST access to training runs, checkpoints, sessions and samplers.

  A struct: `new/1` makes one from a configuration.

  Every function answers `{:ok, value}` or `{:error, %Tinkex.Error{}}`; one whose result the
  server computes later answers `{:ok, task}` (`Task.await/2` gives the result).
  """

  alias Tinkex.API.Checkpoints
  alias Tinkex.API.Models
  alias Tinkex.API.Samplers
  alias Tinkex.API.Service
  alias Tinkex.API.Sessions
  alias Tinkex.API.TrainingRuns
  alias Tinkex.API.Weights
  alias Tinkex.Config
  alias Tinkex.Error
  alias Tinkex.Runtime.Client
  alias Tinkex.Types.CheckpointArchiveUrlResponse
  alias Tinkex.Types.CheckpointsListResponse
  alias Tinkex.Types.CopyWeightsResponse
  alias Tinkex.Types.ExternalWeightsUrlsResponse
  alias Tinkex.Types.GetSamplerResponse
  alias Tinkex.Types.GetServerCapabilitiesResponse
  alias Tinkex.Types.GetSessionResponse
  alias Tinkex.Types.ListSessionsResponse
  alias Tinkex.Types.ModelID
  alias Tinkex.Types.OwnSearchOwner
  alias Tinkex.Types.ParsedCheckpointTinkerPath
  alias Tinkex.Types.SearchOwner
  alias Tinkex.Types.SessionSearchCursor
  alias Tinkex.Types.SessionSearchRequest
  alias Tinkex.Types.SessionSearchResponse
  alias Tinkex.Types.SessionStatusQuery
  alias Tinkex.Types.SessionTraceExportPollResponse
  alias Tinkex.Types.SetCheckpointTtlBody
  alias Tinkex.Types.TrainingRun
  alias Tinkex.Types.TrainingRunsResponse
  alias Tinkex.Types.WeightsInfoBody
  alias Tinkex.Types.WeightsInfoResponse

  defstruct [:session_id, :config, :context]

  @typedoc "A client: its state and configuration."
  @type t :: %__MODULE__{session_id: String.t() | nil, config: Config.t(), context: term()}

  @typedoc "A call's value, or the error."
  @type result(value) :: {:ok, value} | {:error, Error.t()}

  @doc """
  A client from options: those of `Tinkex.Config` (`:api_key`, `:base_url`, ...) or `:config`, and
  its state: `:session_id`. Raises `ArgumentError` for an invalid configuration.
  """
  @spec new(keyword()) :: t()
  def new(opts \\ []) do
    case Client.new_struct(__MODULE__, opts) do
      {:ok, client} -> client
      {:error, %Error{message: message}} -> raise ArgumentError, message
    end
  end

  @doc "A client with this state (`:session_id`) and configuration."
  @spec new(String.t() | nil, Config.t()) :: t()
  def new(session_id, %Config{} = config) do
    new(session_id: session_id, config: config)
  end

  @doc false
  def __client__, do: %{process: false, state: [:session_id], counters: []}

  @doc """
  A copy of the client whose calls use these request options by default (`:timeout` in
  milliseconds, `:max_retries`, `:headers`, `:query`, `:body`, `:idempotency_key`), over the
  client's own. The copy shares the client's connections, session and telemetry; a call's own
  `:request_options` win over it (headers, query and body merge). An unknown option raises
  `ArgumentError`.
  """
  @spec with_options(t(), keyword()) :: t()
  def with_options(rest, request_options), do: Client.with_options(rest, request_options)

  @doc """
  Models the caller may use and server capabilities.

  `GET /api/v1/get_server_capabilities`

  ## Options

    * `:timeout` - the HTTP timeout of this call's requests, in milliseconds
    * `:request_options` - this call's options: `:timeout` (ms), `:max_retries`, `:headers`, `:query`, `:body`, `:idempotency_key`
  """
  @spec get_server_capabilities(t(), keyword()) :: result(GetServerCapabilitiesResponse.t())
  def get_server_capabilities(rest, opts \\ []) do
    Client.check_options!(opts, [], "get_server_capabilities/2")
    c = Client.handle(rest, opts)
    Service.get_server_capabilities(client: c)
  end

  @doc "Like `get_server_capabilities/2`, in a `Task` (`Task.await/2` gives its result)."
  @spec get_server_capabilities_async(t(), keyword()) :: Task.t()
  def get_server_capabilities_async(rest, opts \\ []) do
    Task.async(fn -> get_server_capabilities(rest, opts) end)
  end

  @doc """
  Training runs, samplers and metadata of one session.

  `GET /api/v1/sessions/{session_id}`

  ## Options

    * `:access_scope` (default: `"owned"`)
    * `:timeout` - the HTTP timeout of this call's requests, in milliseconds
    * `:request_options` - this call's options: `:timeout` (ms), `:max_retries`, `:headers`, `:query`, `:body`, `:idempotency_key`
  """
  @spec get_session(t(), String.t(), keyword()) :: result(GetSessionResponse.t())
  def get_session(rest, session_id, opts \\ []) do
    Client.check_options!(opts, [:access_scope], "get_session/3")
    access_scope = Keyword.get(opts, :access_scope, "owned")
    c = Client.handle(rest, opts)
    Sessions.get(%{session_id: session_id, access_scope: access_scope}, client: c)
  end

  @doc "Like `get_session/3`, in a `Task` (`Task.await/2` gives its result)."
  @spec get_session_async(t(), String.t(), keyword()) :: Task.t()
  def get_session_async(rest, session_id, opts \\ []) do
    Task.async(fn -> get_session(rest, session_id, opts) end)
  end

  @doc """
  List session ids (offset pagination).

  `GET /api/v1/sessions`

  ## Options

    * `:limit` (default: `20`)
    * `:offset` (default: `0`)
    * `:access_scope` (default: `"owned"`)
    * `:timeout` - the HTTP timeout of this call's requests, in milliseconds
    * `:request_options` - this call's options: `:timeout` (ms), `:max_retries`, `:headers`, `:query`, `:body`, `:idempotency_key`
  """
  @spec list_sessions(t(), keyword()) :: result(ListSessionsResponse.t())
  def list_sessions(rest, opts \\ []) do
    Client.check_options!(opts, [:limit, :offset, :access_scope], "list_sessions/2")
    limit = Keyword.get(opts, :limit, 20)
    offset = Keyword.get(opts, :offset, 0)
    access_scope = Keyword.get(opts, :access_scope, "owned")
    c = Client.handle(rest, opts)
    Sessions.list(%{limit: limit, offset: offset, access_scope: access_scope}, client: c)
  end

  @doc "Like `list_sessions/2`, in a `Task` (`Task.await/2` gives its result)."
  @spec list_sessions_async(t(), keyword()) :: Task.t()
  def list_sessions_async(rest, opts \\ []) do
    Task.async(fn -> list_sessions(rest, opts) end)
  end

  @doc """
  The pages of `list_sessions/2`, one after the other, as a lazy `Stream`: a request is sent when
  the stream needs the next page. Takes the arguments and options of `list_sessions/2`; a page
  that fails raises the `Tinkex.Error` (a repeating cursor is a `:pagination` error).
  """
  @spec list_sessions_iter_pages(t(), keyword()) :: Enumerable.t()
  def list_sessions_iter_pages(rest, opts \\ []) do
    Client.check_options!(opts, [:limit, :offset, :access_scope], "list_sessions/2")
    limit = Keyword.get(opts, :limit, 20)
    offset = Keyword.get(opts, :offset, 0)
    access_scope = Keyword.get(opts, :access_scope, "owned")
    c = Client.handle(rest, opts)

    Client.pages(
      c,
      "sessions.list",
      query: %{"limit" => limit, "offset" => offset, "access_scope" => access_scope},
      decode: ListSessionsResponse,
      paging: %{style: :limit_offset, limit: {:query, "limit"}, offset: {:query, "offset"}},
      items: & &1.sessions
    )
  end

  @doc """
  The items of every page of `list_sessions/2`, in order, as a lazy `Stream` (see
  `list_sessions_iter_pages/2`).
  """
  @spec list_sessions_iter(t(), keyword()) :: Enumerable.t()
  def list_sessions_iter(rest, opts \\ []) do
    list_sessions_iter_pages(rest, opts) |> Stream.flat_map(& &1.sessions)
  end

  @doc """
  Experimental: search the organization's sessions, newest first (cursor pagination).

  `POST /api/v1/sessions/search`

  ## Options

    * `:session_id` - Exact session ID to match; null searches every session.
    * `:project_ids` - Projects to search; null searches every listable project.
    * `:user_metadata` - Exact user_metadata key/value matches; every pair must hold (default: `{}`)
    * `:display_name` - Case-insensitive substring match on the display name.
    * `:owner` - Whose sessions to search; defaults to the caller's own (default: `{"type": "own"}`)
    * `:statuses` - Match any listed status; null matches every status
    * `:limit` - Page size, 1 to 200 (default: `50`)
    * `:cursor` - `next_cursor` of the previous page; null for the first page
    * `:timeout` - the HTTP timeout of this call's requests, in milliseconds
    * `:request_options` - this call's options: `:timeout` (ms), `:max_retries`, `:headers`, `:query`, `:body`, `:idempotency_key`
  """
  @spec search_sessions(t(), keyword()) :: result(SessionSearchResponse.t())
  def search_sessions(rest, opts \\ []) do
    Client.check_options!(
      opts,
      [
        :session_id,
        :project_ids,
        :user_metadata,
        :display_name,
        :owner,
        :statuses,
        :limit,
        :cursor
      ],
      "search_sessions/2"
    )

    session_id = Keyword.get(opts, :session_id)
    project_ids = Keyword.get(opts, :project_ids)
    user_metadata = Keyword.get(opts, :user_metadata, %{})
    display_name = Keyword.get(opts, :display_name)
    owner = Keyword.get(opts, :owner, %OwnSearchOwner{type: "own"})
    statuses = Keyword.get(opts, :statuses)
    limit = Keyword.get(opts, :limit, 50)
    cursor = Keyword.get(opts, :cursor)
    c = Client.handle(rest, opts)

    Sessions.search(
      %SessionSearchRequest{
        session_id: session_id,
        project_ids: project_ids,
        user_metadata: user_metadata,
        display_name: display_name,
        owner: owner,
        statuses: statuses,
        limit: limit,
        cursor: cursor
      },
      client: c
    )
  end

  @doc "Like `search_sessions/2`, in a `Task` (`Task.await/2` gives its result)."
  @spec search_sessions_async(t(), keyword()) :: Task.t()
  def search_sessions_async(rest, opts \\ []) do
    Task.async(fn -> search_sessions(rest, opts) end)
  end

  @doc """
  The pages of `search_sessions/2`, one after the other, as a lazy `Stream`: a request is sent
  when the stream needs the next page. Takes the arguments and options of `search_sessions/2`; a
  page that fails raises the `Tinkex.Error` (a repeating cursor is a `:pagination` error).
  """
  @spec search_sessions_iter_pages(t(), keyword()) :: Enumerable.t()
  def search_sessions_iter_pages(rest, opts \\ []) do
    Client.check_options!(
      opts,
      [
        :session_id,
        :project_ids,
        :user_metadata,
        :display_name,
        :owner,
        :statuses,
        :limit,
        :cursor
      ],
      "search_sessions/2"
    )

    session_id = Keyword.get(opts, :session_id)
    project_ids = Keyword.get(opts, :project_ids)
    user_metadata = Keyword.get(opts, :user_metadata, %{})
    display_name = Keyword.get(opts, :display_name)
    owner = Keyword.get(opts, :owner, %OwnSearchOwner{type: "own"})
    statuses = Keyword.get(opts, :statuses)
    limit = Keyword.get(opts, :limit, 50)
    cursor = Keyword.get(opts, :cursor)
    c = Client.handle(rest, opts)

    Client.pages(
      c,
      "sessions.search",
      body: %SessionSearchRequest{
        session_id: session_id,
        project_ids: project_ids,
        user_metadata: user_metadata,
        display_name: display_name,
        owner: owner,
        statuses: statuses,
        limit: limit,
        cursor: cursor
      },
      decode: SessionSearchResponse,
      paging: %{style: :cursor, cursor: {:body, "cursor"}, next_field: ["next_cursor"]},
      items: & &1.sessions
    )
  end

  @doc """
  The items of every page of `search_sessions/2`, in order, as a lazy `Stream` (see
  `search_sessions_iter_pages/2`).
  """
  @spec search_sessions_iter(t(), keyword()) :: Enumerable.t()
  def search_sessions_iter(rest, opts \\ []) do
    search_sessions_iter_pages(rest, opts) |> Stream.flat_map(& &1.sessions)
  end

  @doc """
  Move a session (and its runs and samplers) into a project.

  `PUT /api/v1/sessions/{session_id}/project`

  ## Options

    * `:timeout` - the HTTP timeout of this call's requests, in milliseconds
    * `:request_options` - this call's options: `:timeout` (ms), `:max_retries`, `:headers`, `:query`, `:body`, `:idempotency_key`
  """
  @spec assign_session_project(t(), String.t(), String.t(), keyword()) :: result(nil)
  def assign_session_project(rest, session_id, project_id, opts \\ []) do
    Client.check_options!(opts, [], "assign_session_project/4")
    c = Client.handle(rest, opts)
    Sessions.assign_project(%{session_id: session_id, project_id: project_id}, client: c)
  end

  @doc "Like `assign_session_project/4`, in a `Task` (`Task.await/2` gives its result)."
  @spec assign_session_project_async(t(), String.t(), String.t(), keyword()) :: Task.t()
  def assign_session_project_async(rest, session_id, project_id, opts \\ []) do
    Task.async(fn -> assign_session_project(rest, session_id, project_id, opts) end)
  end

  @doc """
  Start or poll a Perfetto trace export of a session; yields a signed download URL when ready.

  `GET /api/v1/sessions/{session_id}/trace_export`

  ## Options

    * `:timeout` - the HTTP timeout of this call's requests, in milliseconds
    * `:request_options` - this call's options: `:timeout` (ms), `:max_retries`, `:headers`, `:query`, `:body`, `:idempotency_key`
  """
  @spec export_session_trace(t(), String.t(), keyword()) ::
          result(SessionTraceExportPollResponse.t())
  def export_session_trace(rest, session_id, opts \\ []) do
    Client.check_options!(opts, [], "export_session_trace/3")
    c = Client.handle(rest, opts)
    Sessions.trace_export(%{session_id: session_id}, client: c)
  end

  @doc "Like `export_session_trace/3`, in a `Task` (`Task.await/2` gives its result)."
  @spec export_session_trace_async(t(), String.t(), keyword()) :: Task.t()
  def export_session_trace_async(rest, session_id, opts \\ []) do
    Task.async(fn -> export_session_trace(rest, session_id, opts) end)
  end

  @doc """
  Sampler (sampling session) information, base model and model path.

  `GET /api/v1/samplers/{sampler_id}`

  ## Options

    * `:timeout` - the HTTP timeout of this call's requests, in milliseconds
    * `:request_options` - this call's options: `:timeout` (ms), `:max_retries`, `:headers`, `:query`, `:body`, `:idempotency_key`
  """
  @spec get_sampler(t(), String.t(), keyword()) :: result(GetSamplerResponse.t())
  def get_sampler(rest, sampler_id, opts \\ []) do
    Client.check_options!(opts, [], "get_sampler/3")
    c = Client.handle(rest, opts)
    Samplers.get(%{sampler_id: sampler_id}, client: c)
  end

  @doc "Like `get_sampler/3`, in a `Task` (`Task.await/2` gives its result)."
  @spec get_sampler_async(t(), String.t(), keyword()) :: Task.t()
  def get_sampler_async(rest, sampler_id, opts \\ []) do
    Task.async(fn -> get_sampler(rest, sampler_id, opts) end)
  end

  @doc """
  Minimal checkpoint information (base model, LoRA settings, optimizer) for a tinker path.

  `POST /api/v1/weights_info`

  ## Options

    * `:timeout` - the HTTP timeout of this call's requests, in milliseconds
    * `:request_options` - this call's options: `:timeout` (ms), `:max_retries`, `:headers`, `:query`, `:body`, `:idempotency_key`
  """
  @spec get_weights_info_by_tinker_path(t(), String.t(), keyword()) ::
          result(WeightsInfoResponse.t())
  def get_weights_info_by_tinker_path(rest, tinker_path, opts \\ []) do
    Client.check_options!(opts, [], "get_weights_info_by_tinker_path/3")
    c = Client.handle(rest, opts)
    Weights.info(%WeightsInfoBody{tinker_path: tinker_path}, client: c)
  end

  @doc "Like `get_weights_info_by_tinker_path/3`, in a `Task` (`Task.await/2` gives its result)."
  @spec get_weights_info_by_tinker_path_async(t(), String.t(), keyword()) :: Task.t()
  def get_weights_info_by_tinker_path_async(rest, tinker_path, opts \\ []) do
    Task.async(fn -> get_weights_info_by_tinker_path(rest, tinker_path, opts) end)
  end

  @doc """
  List training runs (offset pagination).

  `GET /api/v1/training_runs`

  ## Options

    * `:limit` (default: `20`)
    * `:offset` (default: `0`)
    * `:access_scope` (default: `"owned"`)
    * `:project_id` - Only runs of this project.
    * `:timeout` - the HTTP timeout of this call's requests, in milliseconds
    * `:request_options` - this call's options: `:timeout` (ms), `:max_retries`, `:headers`, `:query`, `:body`, `:idempotency_key`
  """
  @spec list_training_runs(t(), keyword()) :: result(TrainingRunsResponse.t())
  def list_training_runs(rest, opts \\ []) do
    Client.check_options!(
      opts,
      [:limit, :offset, :access_scope, :project_id],
      "list_training_runs/2"
    )

    limit = Keyword.get(opts, :limit, 20)
    offset = Keyword.get(opts, :offset, 0)
    access_scope = Keyword.get(opts, :access_scope, "owned")
    project_id = Keyword.get(opts, :project_id)
    c = Client.handle(rest, opts)

    TrainingRuns.list(
      %{limit: limit, offset: offset, access_scope: access_scope, project_id: project_id},
      client: c
    )
  end

  @doc "Like `list_training_runs/2`, in a `Task` (`Task.await/2` gives its result)."
  @spec list_training_runs_async(t(), keyword()) :: Task.t()
  def list_training_runs_async(rest, opts \\ []) do
    Task.async(fn -> list_training_runs(rest, opts) end)
  end

  @doc """
  The pages of `list_training_runs/2`, one after the other, as a lazy `Stream`: a request is sent
  when the stream needs the next page. Takes the arguments and options of `list_training_runs/2`;
  a page that fails raises the `Tinkex.Error` (a repeating cursor is a `:pagination` error).
  """
  @spec list_training_runs_iter_pages(t(), keyword()) :: Enumerable.t()
  def list_training_runs_iter_pages(rest, opts \\ []) do
    Client.check_options!(
      opts,
      [:limit, :offset, :access_scope, :project_id],
      "list_training_runs/2"
    )

    limit = Keyword.get(opts, :limit, 20)
    offset = Keyword.get(opts, :offset, 0)
    access_scope = Keyword.get(opts, :access_scope, "owned")
    project_id = Keyword.get(opts, :project_id)
    c = Client.handle(rest, opts)

    Client.pages(
      c,
      "training_runs.list",
      query: %{
        "limit" => limit,
        "offset" => offset,
        "access_scope" => access_scope,
        "project_id" => project_id
      },
      decode: TrainingRunsResponse,
      paging: %{
        style: :limit_offset,
        limit: {:query, "limit"},
        offset: {:query, "offset"},
        total: ["cursor", "total_count"]
      },
      items: & &1.training_runs
    )
  end

  @doc """
  The items of every page of `list_training_runs/2`, in order, as a lazy `Stream` (see
  `list_training_runs_iter_pages/2`).
  """
  @spec list_training_runs_iter(t(), keyword()) :: Enumerable.t()
  def list_training_runs_iter(rest, opts \\ []) do
    list_training_runs_iter_pages(rest, opts) |> Stream.flat_map(& &1.training_runs)
  end

  @doc """
  One training run.

  `GET /api/v1/training_runs/{training_run_id}`

  ## Options

    * `:access_scope` (default: `"owned"`)
    * `:timeout` - the HTTP timeout of this call's requests, in milliseconds
    * `:request_options` - this call's options: `:timeout` (ms), `:max_retries`, `:headers`, `:query`, `:body`, `:idempotency_key`
  """
  @spec get_training_run(t(), ModelID.t(), keyword()) :: result(TrainingRun.t())
  def get_training_run(rest, training_run_id, opts \\ []) do
    Client.check_options!(opts, [:access_scope], "get_training_run/3")
    access_scope = Keyword.get(opts, :access_scope, "owned")
    c = Client.handle(rest, opts)
    TrainingRuns.get(%{training_run_id: training_run_id, access_scope: access_scope}, client: c)
  end

  @doc "Like `get_training_run/3`, in a `Task` (`Task.await/2` gives its result)."
  @spec get_training_run_async(t(), ModelID.t(), keyword()) :: Task.t()
  def get_training_run_async(rest, training_run_id, opts \\ []) do
    Task.async(fn -> get_training_run(rest, training_run_id, opts) end)
  end

  @doc """
  Checkpoints (training, sampler, external) of one training run; unpaginated.

  `GET /api/v1/training_runs/{training_run_id}/checkpoints`

  ## Options

    * `:timeout` - the HTTP timeout of this call's requests, in milliseconds
    * `:request_options` - this call's options: `:timeout` (ms), `:max_retries`, `:headers`, `:query`, `:body`, `:idempotency_key`
  """
  @spec list_checkpoints(t(), ModelID.t(), keyword()) :: result(CheckpointsListResponse.t())
  def list_checkpoints(rest, training_run_id, opts \\ []) do
    Client.check_options!(opts, [], "list_checkpoints/3")
    c = Client.handle(rest, opts)
    Checkpoints.list(%{training_run_id: training_run_id}, client: c)
  end

  @doc "Like `list_checkpoints/3`, in a `Task` (`Task.await/2` gives its result)."
  @spec list_checkpoints_async(t(), ModelID.t(), keyword()) :: Task.t()
  def list_checkpoints_async(rest, training_run_id, opts \\ []) do
    Task.async(fn -> list_checkpoints(rest, training_run_id, opts) end)
  end

  @doc """
  All checkpoints of the caller across training runs, newest first (offset pagination).

  `GET /api/v1/checkpoints`

  ## Options

    * `:limit` (default: `100`)
    * `:offset` (default: `0`)
    * `:timeout` - the HTTP timeout of this call's requests, in milliseconds
    * `:request_options` - this call's options: `:timeout` (ms), `:max_retries`, `:headers`, `:query`, `:body`, `:idempotency_key`
  """
  @spec list_user_checkpoints(t(), keyword()) :: result(CheckpointsListResponse.t())
  def list_user_checkpoints(rest, opts \\ []) do
    Client.check_options!(opts, [:limit, :offset], "list_user_checkpoints/2")
    limit = Keyword.get(opts, :limit, 100)
    offset = Keyword.get(opts, :offset, 0)
    c = Client.handle(rest, opts)
    Checkpoints.list_user(%{limit: limit, offset: offset}, client: c)
  end

  @doc "Like `list_user_checkpoints/2`, in a `Task` (`Task.await/2` gives its result)."
  @spec list_user_checkpoints_async(t(), keyword()) :: Task.t()
  def list_user_checkpoints_async(rest, opts \\ []) do
    Task.async(fn -> list_user_checkpoints(rest, opts) end)
  end

  @doc """
  The pages of `list_user_checkpoints/2`, one after the other, as a lazy `Stream`: a request is
  sent when the stream needs the next page. Takes the arguments and options of
  `list_user_checkpoints/2`; a page that fails raises the `Tinkex.Error` (a repeating cursor is a
  `:pagination` error).
  """
  @spec list_user_checkpoints_iter_pages(t(), keyword()) :: Enumerable.t()
  def list_user_checkpoints_iter_pages(rest, opts \\ []) do
    Client.check_options!(opts, [:limit, :offset], "list_user_checkpoints/2")
    limit = Keyword.get(opts, :limit, 100)
    offset = Keyword.get(opts, :offset, 0)
    c = Client.handle(rest, opts)

    Client.pages(
      c,
      "checkpoints.list_user",
      query: %{"limit" => limit, "offset" => offset},
      decode: CheckpointsListResponse,
      paging: %{
        style: :limit_offset,
        limit: {:query, "limit"},
        offset: {:query, "offset"},
        total: ["cursor", "total_count"]
      },
      items: & &1.checkpoints
    )
  end

  @doc """
  The items of every page of `list_user_checkpoints/2`, in order, as a lazy `Stream` (see
  `list_user_checkpoints_iter_pages/2`).
  """
  @spec list_user_checkpoints_iter(t(), keyword()) :: Enumerable.t()
  def list_user_checkpoints_iter(rest, opts \\ []) do
    list_user_checkpoints_iter_pages(rest, opts) |> Stream.flat_map(& &1.checkpoints)
  end

  @doc """
  Signed download URL of a checkpoint archive (tar.gz).

  `GET /api/v1/training_runs/{training_run_id}/checkpoints/{+checkpoint_id}/archive`

  ## Options

    * `:timeout` - the HTTP timeout of this call's requests, in milliseconds
    * `:request_options` - this call's options: `:timeout` (ms), `:max_retries`, `:headers`, `:query`, `:body`, `:idempotency_key`
  """
  @spec get_checkpoint_archive_url(t(), ModelID.t(), String.t(), keyword()) ::
          result(CheckpointArchiveUrlResponse.t())
  def get_checkpoint_archive_url(rest, training_run_id, checkpoint_id, opts \\ []) do
    Client.check_options!(opts, [], "get_checkpoint_archive_url/4")
    c = Client.handle(rest, opts)

    Checkpoints.archive_url(
      %{training_run_id: training_run_id, checkpoint_id: checkpoint_id},
      client: c
    )
  end

  @doc "Like `get_checkpoint_archive_url/4`, in a `Task` (`Task.await/2` gives its result)."
  @spec get_checkpoint_archive_url_async(t(), ModelID.t(), String.t(), keyword()) :: Task.t()
  def get_checkpoint_archive_url_async(rest, training_run_id, checkpoint_id, opts \\ []) do
    Task.async(fn -> get_checkpoint_archive_url(rest, training_run_id, checkpoint_id, opts) end)
  end

  @doc """
  Signed per-file download URLs of an external-weights checkpoint.

  `GET /api/v1/training_runs/{training_run_id}/checkpoints/{+checkpoint_id}/external_weights_urls`

  ## Options

    * `:timeout` - the HTTP timeout of this call's requests, in milliseconds
    * `:request_options` - this call's options: `:timeout` (ms), `:max_retries`, `:headers`, `:query`, `:body`, `:idempotency_key`
  """
  @spec get_external_weights_urls(t(), ModelID.t(), String.t(), keyword()) ::
          result(ExternalWeightsUrlsResponse.t())
  def get_external_weights_urls(rest, training_run_id, checkpoint_id, opts \\ []) do
    Client.check_options!(opts, [], "get_external_weights_urls/4")
    c = Client.handle(rest, opts)

    Checkpoints.external_weights_urls(
      %{training_run_id: training_run_id, checkpoint_id: checkpoint_id},
      client: c
    )
  end

  @doc "Like `get_external_weights_urls/4`, in a `Task` (`Task.await/2` gives its result)."
  @spec get_external_weights_urls_async(t(), ModelID.t(), String.t(), keyword()) :: Task.t()
  def get_external_weights_urls_async(rest, training_run_id, checkpoint_id, opts \\ []) do
    Task.async(fn -> get_external_weights_urls(rest, training_run_id, checkpoint_id, opts) end)
  end

  @doc """
  Delete a checkpoint.

  `DELETE /api/v1/training_runs/{training_run_id}/checkpoints/{+checkpoint_id}`

  ## Options

    * `:timeout` - the HTTP timeout of this call's requests, in milliseconds
    * `:request_options` - this call's options: `:timeout` (ms), `:max_retries`, `:headers`, `:query`, `:body`, `:idempotency_key`
  """
  @spec delete_checkpoint(t(), ModelID.t(), String.t(), keyword()) :: result(nil)
  def delete_checkpoint(rest, training_run_id, checkpoint_id, opts \\ []) do
    Client.check_options!(opts, [], "delete_checkpoint/4")
    c = Client.handle(rest, opts)

    Checkpoints.delete(
      %{training_run_id: training_run_id, checkpoint_id: checkpoint_id},
      client: c
    )
  end

  @doc "Like `delete_checkpoint/4`, in a `Task` (`Task.await/2` gives its result)."
  @spec delete_checkpoint_async(t(), ModelID.t(), String.t(), keyword()) :: Task.t()
  def delete_checkpoint_async(rest, training_run_id, checkpoint_id, opts \\ []) do
    Task.async(fn -> delete_checkpoint(rest, training_run_id, checkpoint_id, opts) end)
  end

  @doc """
  Make a checkpoint public (409 if it already is).

  `POST /api/v1/training_runs/{training_run_id}/checkpoints/{+checkpoint_id}/publish`

  ## Options

    * `:timeout` - the HTTP timeout of this call's requests, in milliseconds
    * `:request_options` - this call's options: `:timeout` (ms), `:max_retries`, `:headers`, `:query`, `:body`, `:idempotency_key`
  """
  @spec publish_checkpoint(t(), ModelID.t(), String.t(), keyword()) :: result(nil)
  def publish_checkpoint(rest, training_run_id, checkpoint_id, opts \\ []) do
    Client.check_options!(opts, [], "publish_checkpoint/4")
    c = Client.handle(rest, opts)

    Checkpoints.publish(
      %{training_run_id: training_run_id, checkpoint_id: checkpoint_id},
      client: c
    )
  end

  @doc "Like `publish_checkpoint/4`, in a `Task` (`Task.await/2` gives its result)."
  @spec publish_checkpoint_async(t(), ModelID.t(), String.t(), keyword()) :: Task.t()
  def publish_checkpoint_async(rest, training_run_id, checkpoint_id, opts \\ []) do
    Task.async(fn -> publish_checkpoint(rest, training_run_id, checkpoint_id, opts) end)
  end

  @doc """
  Make a checkpoint private again (409 if it already is).

  `DELETE /api/v1/training_runs/{training_run_id}/checkpoints/{+checkpoint_id}/publish`

  ## Options

    * `:timeout` - the HTTP timeout of this call's requests, in milliseconds
    * `:request_options` - this call's options: `:timeout` (ms), `:max_retries`, `:headers`, `:query`, `:body`, `:idempotency_key`
  """
  @spec unpublish_checkpoint(t(), ModelID.t(), String.t(), keyword()) :: result(nil)
  def unpublish_checkpoint(rest, training_run_id, checkpoint_id, opts \\ []) do
    Client.check_options!(opts, [], "unpublish_checkpoint/4")
    c = Client.handle(rest, opts)

    Checkpoints.unpublish(
      %{training_run_id: training_run_id, checkpoint_id: checkpoint_id},
      client: c
    )
  end

  @doc "Like `unpublish_checkpoint/4`, in a `Task` (`Task.await/2` gives its result)."
  @spec unpublish_checkpoint_async(t(), ModelID.t(), String.t(), keyword()) :: Task.t()
  def unpublish_checkpoint_async(rest, training_run_id, checkpoint_id, opts \\ []) do
    Task.async(fn -> unpublish_checkpoint(rest, training_run_id, checkpoint_id, opts) end)
  end

  @doc """
  Set (3600 s to 10 years) or clear (null) a checkpoint's expiry.

  `PUT /api/v1/training_runs/{training_run_id}/checkpoints/{+checkpoint_id}/ttl`

  ## Options

    * `:timeout` - the HTTP timeout of this call's requests, in milliseconds
    * `:request_options` - this call's options: `:timeout` (ms), `:max_retries`, `:headers`, `:query`, `:body`, `:idempotency_key`
  """
  @spec set_checkpoint_ttl(t(), ModelID.t(), String.t(), integer() | nil, keyword()) ::
          result(nil)
  def set_checkpoint_ttl(rest, training_run_id, checkpoint_id, ttl_seconds, opts \\ []) do
    Client.check_options!(opts, [], "set_checkpoint_ttl/5")
    c = Client.handle(rest, opts)

    Checkpoints.set_ttl(
      %{training_run_id: training_run_id, checkpoint_id: checkpoint_id, ttl_seconds: ttl_seconds},
      client: c
    )
  end

  @doc "Like `set_checkpoint_ttl/5`, in a `Task` (`Task.await/2` gives its result)."
  @spec set_checkpoint_ttl_async(t(), ModelID.t(), String.t(), integer() | nil, keyword()) ::
          Task.t()
  def set_checkpoint_ttl_async(rest, training_run_id, checkpoint_id, ttl_seconds, opts \\ []) do
    Task.async(fn ->
      set_checkpoint_ttl(rest, training_run_id, checkpoint_id, ttl_seconds, opts)
    end)
  end

  @doc """
  Copy a checkpoint into a project (shared storage, new non-trainable training run).

  `POST /api/v1/copy_weights`

  ## Options

    * `:session_id` - Session that will own the copy; the copy inherits its project.
    * `:model_seq_id` - Training run slot within the session, as CreateModelRequest and LoadWeightsRequest use.
    * `:destination_project_id` - Project that will own the copy when no session_id is provided.
    * `:ttl_seconds` - Seconds until the copy expires, 1 hour (3600) to 10 years. Source expiry is not inherited.
    * `:weights_access_token` - Access token for copying weights under a different account.
    * `:timeout` - the HTTP timeout of this call's requests, in milliseconds
    * `:request_options` - this call's options: `:timeout` (ms), `:max_retries`, `:headers`, `:query`, `:body`, `:idempotency_key`
  """
  @spec copy_weights(t(), String.t(), keyword()) :: result(CopyWeightsResponse.t())
  def copy_weights(rest, source_path, opts \\ []) do
    Client.check_options!(
      opts,
      [:session_id, :model_seq_id, :destination_project_id, :ttl_seconds, :weights_access_token],
      "copy_weights/3"
    )

    session_id = Keyword.get(opts, :session_id)
    model_seq_id = Keyword.get(opts, :model_seq_id)
    destination_project_id = Keyword.get(opts, :destination_project_id)
    ttl_seconds = Keyword.get(opts, :ttl_seconds)
    weights_access_token = Keyword.get(opts, :weights_access_token)
    c = Client.handle(rest, opts)

    Models.copy_weights(
      %{
        source_path: source_path,
        session_id: session_id,
        model_seq_id: model_seq_id,
        destination_project_id: destination_project_id,
        ttl_seconds: ttl_seconds,
        weights_access_token: weights_access_token
      },
      client: c
    )
  end

  @doc "Like `copy_weights/3`, in a `Task` (`Task.await/2` gives its result)."
  @spec copy_weights_async(t(), String.t(), keyword()) :: Task.t()
  def copy_weights_async(rest, source_path, opts \\ []) do
    Task.async(fn -> copy_weights(rest, source_path, opts) end)
  end

  @doc """
  Signed download URL of a checkpoint archive, by the checkpoint's tinker:// path.

  ## Options

    * `:timeout` - the HTTP timeout of this call's requests, in milliseconds
    * `:request_options` - this call's options: `:timeout` (ms), `:max_retries`, `:headers`, `:query`, `:body`, `:idempotency_key`
  """
  @spec get_checkpoint_archive_url_by_tinker_path(t(), String.t(), keyword()) ::
          result(CheckpointArchiveUrlResponse.t())
  def get_checkpoint_archive_url_by_tinker_path(rest, tinker_path, opts \\ []) do
    Client.check_options!(opts, [], "get_checkpoint_archive_url_by_tinker_path/3")
    c = Client.handle(rest, opts)

    with {:ok, step_parsed} <- ParsedCheckpointTinkerPath.from_tinker_path(tinker_path),
         {:ok, step2} <-
           Client.call_location(
             c,
             "checkpoints.archive_url",
             path: %{
               "training_run_id" => step_parsed.training_run_id,
               "checkpoint_id" => step_parsed.checkpoint_id
             },
             decode: CheckpointArchiveUrlResponse,
             url_field: "url"
           ) do
      {:ok, step2}
    end
  end

  @doc "Like `get_checkpoint_archive_url_by_tinker_path/3`, in a `Task` (`Task.await/2` gives its result)."
  @spec get_checkpoint_archive_url_by_tinker_path_async(t(), String.t(), keyword()) :: Task.t()
  def get_checkpoint_archive_url_by_tinker_path_async(rest, tinker_path, opts \\ []) do
    Task.async(fn -> get_checkpoint_archive_url_by_tinker_path(rest, tinker_path, opts) end)
  end

  @doc """
  Same as `get_checkpoint_archive_url_by_tinker_path/2` (the other arities of
  `get_checkpoint_archive_url` take other arguments).

  Signed download URL of a checkpoint archive, by the checkpoint's tinker:// path.
  """
  @spec get_checkpoint_archive_url(t(), String.t()) :: result(CheckpointArchiveUrlResponse.t())
  def get_checkpoint_archive_url(rest, tinker_path) do
    get_checkpoint_archive_url_by_tinker_path(rest, tinker_path)
  end

  @doc """
  Same as `get_checkpoint_archive_url_by_tinker_path_async/2` (the other arities of
  `get_checkpoint_archive_url_async` take other arguments).

  Signed download URL of a checkpoint archive, by the checkpoint's tinker:// path.
  """
  @spec get_checkpoint_archive_url_async(t(), String.t()) :: Task.t()
  def get_checkpoint_archive_url_async(rest, tinker_path) do
    get_checkpoint_archive_url_by_tinker_path_async(rest, tinker_path)
  end

  @doc """
  Delete a checkpoint, by its tinker:// path.

  ## Options

    * `:timeout` - the HTTP timeout of this call's requests, in milliseconds
    * `:request_options` - this call's options: `:timeout` (ms), `:max_retries`, `:headers`, `:query`, `:body`, `:idempotency_key`
  """
  @spec delete_checkpoint_by_tinker_path(t(), String.t(), keyword()) :: result(nil)
  def delete_checkpoint_by_tinker_path(rest, tinker_path, opts \\ []) do
    Client.check_options!(opts, [], "delete_checkpoint_by_tinker_path/3")
    c = Client.handle(rest, opts)

    with {:ok, step_parsed} <- ParsedCheckpointTinkerPath.from_tinker_path(tinker_path),
         {:ok, _} <-
           Client.call_empty(
             c,
             "checkpoints.delete",
             path: %{
               "training_run_id" => step_parsed.training_run_id,
               "checkpoint_id" => step_parsed.checkpoint_id
             }
           ) do
      {:ok, nil}
    end
  end

  @doc "Like `delete_checkpoint_by_tinker_path/3`, in a `Task` (`Task.await/2` gives its result)."
  @spec delete_checkpoint_by_tinker_path_async(t(), String.t(), keyword()) :: Task.t()
  def delete_checkpoint_by_tinker_path_async(rest, tinker_path, opts \\ []) do
    Task.async(fn -> delete_checkpoint_by_tinker_path(rest, tinker_path, opts) end)
  end

  @doc """
  Same as `delete_checkpoint_by_tinker_path/2` (the other arities of `delete_checkpoint` take
  other arguments).

  Delete a checkpoint, by its tinker:// path.
  """
  @spec delete_checkpoint(t(), String.t()) :: result(nil)
  def delete_checkpoint(rest, tinker_path) do
    delete_checkpoint_by_tinker_path(rest, tinker_path)
  end

  @doc """
  Same as `delete_checkpoint_by_tinker_path_async/2` (the other arities of
  `delete_checkpoint_async` take other arguments).

  Delete a checkpoint, by its tinker:// path.
  """
  @spec delete_checkpoint_async(t(), String.t()) :: Task.t()
  def delete_checkpoint_async(rest, tinker_path) do
    delete_checkpoint_by_tinker_path_async(rest, tinker_path)
  end

  @doc """
  Make a checkpoint public, by its tinker:// path.

  ## Options

    * `:timeout` - the HTTP timeout of this call's requests, in milliseconds
    * `:request_options` - this call's options: `:timeout` (ms), `:max_retries`, `:headers`, `:query`, `:body`, `:idempotency_key`
  """
  @spec publish_checkpoint_from_tinker_path(t(), String.t(), keyword()) :: result(nil)
  def publish_checkpoint_from_tinker_path(rest, tinker_path, opts \\ []) do
    Client.check_options!(opts, [], "publish_checkpoint_from_tinker_path/3")
    c = Client.handle(rest, opts)

    with {:ok, step_parsed} <- ParsedCheckpointTinkerPath.from_tinker_path(tinker_path),
         {:ok, _} <-
           Client.call_empty(
             c,
             "checkpoints.publish",
             path: %{
               "training_run_id" => step_parsed.training_run_id,
               "checkpoint_id" => step_parsed.checkpoint_id
             }
           ) do
      {:ok, nil}
    end
  end

  @doc "Like `publish_checkpoint_from_tinker_path/3`, in a `Task` (`Task.await/2` gives its result)."
  @spec publish_checkpoint_from_tinker_path_async(t(), String.t(), keyword()) :: Task.t()
  def publish_checkpoint_from_tinker_path_async(rest, tinker_path, opts \\ []) do
    Task.async(fn -> publish_checkpoint_from_tinker_path(rest, tinker_path, opts) end)
  end

  @doc """
  Same as `publish_checkpoint_from_tinker_path/2` (the other arities of `publish_checkpoint` take
  other arguments).

  Make a checkpoint public, by its tinker:// path.
  """
  @spec publish_checkpoint(t(), String.t()) :: result(nil)
  def publish_checkpoint(rest, tinker_path) do
    publish_checkpoint_from_tinker_path(rest, tinker_path)
  end

  @doc """
  Same as `publish_checkpoint_from_tinker_path_async/2` (the other arities of
  `publish_checkpoint_async` take other arguments).

  Make a checkpoint public, by its tinker:// path.
  """
  @spec publish_checkpoint_async(t(), String.t()) :: Task.t()
  def publish_checkpoint_async(rest, tinker_path) do
    publish_checkpoint_from_tinker_path_async(rest, tinker_path)
  end

  @doc """
  Make a checkpoint private again, by its tinker:// path.

  ## Options

    * `:timeout` - the HTTP timeout of this call's requests, in milliseconds
    * `:request_options` - this call's options: `:timeout` (ms), `:max_retries`, `:headers`, `:query`, `:body`, `:idempotency_key`
  """
  @spec unpublish_checkpoint_from_tinker_path(t(), String.t(), keyword()) :: result(nil)
  def unpublish_checkpoint_from_tinker_path(rest, tinker_path, opts \\ []) do
    Client.check_options!(opts, [], "unpublish_checkpoint_from_tinker_path/3")
    c = Client.handle(rest, opts)

    with {:ok, step_parsed} <- ParsedCheckpointTinkerPath.from_tinker_path(tinker_path),
         {:ok, _} <-
           Client.call_empty(
             c,
             "checkpoints.unpublish",
             path: %{
               "training_run_id" => step_parsed.training_run_id,
               "checkpoint_id" => step_parsed.checkpoint_id
             }
           ) do
      {:ok, nil}
    end
  end

  @doc "Like `unpublish_checkpoint_from_tinker_path/3`, in a `Task` (`Task.await/2` gives its result)."
  @spec unpublish_checkpoint_from_tinker_path_async(t(), String.t(), keyword()) :: Task.t()
  def unpublish_checkpoint_from_tinker_path_async(rest, tinker_path, opts \\ []) do
    Task.async(fn -> unpublish_checkpoint_from_tinker_path(rest, tinker_path, opts) end)
  end

  @doc """
  Same as `unpublish_checkpoint_from_tinker_path/2` (the other arities of `unpublish_checkpoint`
  take other arguments).

  Make a checkpoint private again, by its tinker:// path.
  """
  @spec unpublish_checkpoint(t(), String.t()) :: result(nil)
  def unpublish_checkpoint(rest, tinker_path) do
    unpublish_checkpoint_from_tinker_path(rest, tinker_path)
  end

  @doc """
  Same as `unpublish_checkpoint_from_tinker_path_async/2` (the other arities of
  `unpublish_checkpoint_async` take other arguments).

  Make a checkpoint private again, by its tinker:// path.
  """
  @spec unpublish_checkpoint_async(t(), String.t()) :: Task.t()
  def unpublish_checkpoint_async(rest, tinker_path) do
    unpublish_checkpoint_from_tinker_path_async(rest, tinker_path)
  end

  @doc """
  Set (or clear, with null) a checkpoint's expiry, by its tinker:// path.

  ## Options

    * `:ttl_seconds`
    * `:timeout` - the HTTP timeout of this call's requests, in milliseconds
    * `:request_options` - this call's options: `:timeout` (ms), `:max_retries`, `:headers`, `:query`, `:body`, `:idempotency_key`
  """
  @spec set_checkpoint_ttl_from_tinker_path(t(), String.t(), keyword()) :: result(nil)
  def set_checkpoint_ttl_from_tinker_path(rest, tinker_path, opts \\ []) do
    Client.check_options!(opts, [:ttl_seconds], "set_checkpoint_ttl_from_tinker_path/3")
    ttl_seconds = Keyword.get(opts, :ttl_seconds)
    c = Client.handle(rest, opts)

    with {:ok, step_parsed} <- ParsedCheckpointTinkerPath.from_tinker_path(tinker_path),
         {:ok, _} <-
           Client.call_empty(
             c,
             "checkpoints.set_ttl",
             path: %{
               "training_run_id" => step_parsed.training_run_id,
               "checkpoint_id" => step_parsed.checkpoint_id
             },
             body: %SetCheckpointTtlBody{ttl_seconds: ttl_seconds}
           ) do
      {:ok, nil}
    end
  end

  @doc "Like `set_checkpoint_ttl_from_tinker_path/3`, in a `Task` (`Task.await/2` gives its result)."
  @spec set_checkpoint_ttl_from_tinker_path_async(t(), String.t(), keyword()) :: Task.t()
  def set_checkpoint_ttl_from_tinker_path_async(rest, tinker_path, opts \\ []) do
    Task.async(fn -> set_checkpoint_ttl_from_tinker_path(rest, tinker_path, opts) end)
  end

  @doc """
  The training run of a tinker:// path.

  ## Options

    * `:access_scope` - Whose runs: the caller's own, or every run it may see (default: `"owned"`)
    * `:timeout` - the HTTP timeout of this call's requests, in milliseconds
    * `:request_options` - this call's options: `:timeout` (ms), `:max_retries`, `:headers`, `:query`, `:body`, `:idempotency_key`
  """
  @spec get_training_run_by_tinker_path(t(), String.t(), keyword()) :: result(TrainingRun.t())
  def get_training_run_by_tinker_path(rest, tinker_path, opts \\ []) do
    Client.check_options!(opts, [:access_scope], "get_training_run_by_tinker_path/3")
    access_scope = Keyword.get(opts, :access_scope, "owned")
    c = Client.handle(rest, opts)

    with {:ok, step_parsed} <- ParsedCheckpointTinkerPath.from_tinker_path(tinker_path),
         {:ok, step2} <-
           Client.call(
             c,
             "training_runs.get",
             path: %{"training_run_id" => step_parsed.training_run_id},
             query: %{"access_scope" => access_scope},
             decode: TrainingRun
           ) do
      {:ok, step2}
    end
  end

  @doc "Like `get_training_run_by_tinker_path/3`, in a `Task` (`Task.await/2` gives its result)."
  @spec get_training_run_by_tinker_path_async(t(), String.t(), keyword()) :: Task.t()
  def get_training_run_by_tinker_path_async(rest, tinker_path, opts \\ []) do
    Task.async(fn -> get_training_run_by_tinker_path(rest, tinker_path, opts) end)
  end

  @doc "Queues a telemetry event (the manifest's `generic` kind): never blocks, never fails."
  @spec log_event(t(), String.t(), map()) :: :ok
  def log_event(rest, name, data \\ %{}), do: Client.log_event(Client.handle(rest), name, data)

  @doc false
  def __methods__ do
    [
      {:get_server_capabilities, "get_server_capabilities", [], [], :sync},
      {
        :get_session,
        "get_session",
        [{:session_id, "session_id", :string}],
        [
          {
            :access_scope,
            "access_scope",
            {:one_of, [{:literal, "owned"}, {:literal, "accessible"}]}
          }
        ],
        :sync
      },
      {
        :list_sessions,
        "list_sessions",
        [],
        [
          {:limit, "limit", :integer},
          {:offset, "offset", :integer},
          {
            :access_scope,
            "access_scope",
            {:one_of, [{:literal, "owned"}, {:literal, "accessible"}]}
          }
        ],
        :sync
      },
      {
        :search_sessions,
        "search_sessions",
        [],
        [
          {:session_id, "session_id", {:nullable, :string}},
          {:project_ids, "project_ids", {:nullable, {:list, :string}}},
          {:user_metadata, "user_metadata", {:map, :string}},
          {:display_name, "display_name", {:nullable, :string}},
          {:owner, "owner", SearchOwner},
          {:statuses, "statuses", {:nullable, {:list, SessionStatusQuery}}},
          {:limit, "limit", :integer},
          {:cursor, "cursor", {:nullable, SessionSearchCursor}}
        ],
        :sync
      },
      {
        :assign_session_project,
        "assign_session_project",
        [{:session_id, "session_id", :string}, {:project_id, "project_id", :string}],
        [],
        :sync
      },
      {
        :export_session_trace,
        "export_session_trace",
        [{:session_id, "session_id", :string}],
        [],
        :sync
      },
      {:get_sampler, "get_sampler", [{:sampler_id, "sampler_id", :string}], [], :sync},
      {
        :get_weights_info_by_tinker_path,
        "get_weights_info_by_tinker_path",
        [{:tinker_path, "tinker_path", :string}],
        [],
        :sync
      },
      {
        :list_training_runs,
        "list_training_runs",
        [],
        [
          {:limit, "limit", :integer},
          {:offset, "offset", :integer},
          {
            :access_scope,
            "access_scope",
            {:one_of, [{:literal, "owned"}, {:literal, "accessible"}]}
          },
          {:project_id, "project_id", {:nullable, :string}}
        ],
        :sync
      },
      {
        :get_training_run,
        "get_training_run",
        [{:training_run_id, "training_run_id", ModelID}],
        [
          {
            :access_scope,
            "access_scope",
            {:one_of, [{:literal, "owned"}, {:literal, "accessible"}]}
          }
        ],
        :sync
      },
      {
        :list_checkpoints,
        "list_checkpoints",
        [{:training_run_id, "training_run_id", ModelID}],
        [],
        :sync
      },
      {
        :list_user_checkpoints,
        "list_user_checkpoints",
        [],
        [{:limit, "limit", :integer}, {:offset, "offset", :integer}],
        :sync
      },
      {
        :get_checkpoint_archive_url,
        "get_checkpoint_archive_url",
        [
          {:training_run_id, "training_run_id", ModelID},
          {:checkpoint_id, "checkpoint_id", :string}
        ],
        [],
        :sync
      },
      {
        :get_external_weights_urls,
        "get_external_weights_urls",
        [
          {:training_run_id, "training_run_id", ModelID},
          {:checkpoint_id, "checkpoint_id", :string}
        ],
        [],
        :sync
      },
      {
        :delete_checkpoint,
        "delete_checkpoint",
        [
          {:training_run_id, "training_run_id", ModelID},
          {:checkpoint_id, "checkpoint_id", :string}
        ],
        [],
        :sync
      },
      {
        :publish_checkpoint,
        "publish_checkpoint",
        [
          {:training_run_id, "training_run_id", ModelID},
          {:checkpoint_id, "checkpoint_id", :string}
        ],
        [],
        :sync
      },
      {
        :unpublish_checkpoint,
        "unpublish_checkpoint",
        [
          {:training_run_id, "training_run_id", ModelID},
          {:checkpoint_id, "checkpoint_id", :string}
        ],
        [],
        :sync
      },
      {
        :set_checkpoint_ttl,
        "set_checkpoint_ttl",
        [
          {:training_run_id, "training_run_id", ModelID},
          {:checkpoint_id, "checkpoint_id", :string},
          {:ttl_seconds, "ttl_seconds", {:nullable, :integer}}
        ],
        [],
        :sync
      },
      {
        :copy_weights,
        "copy_weights",
        [{:source_path, "source_path", :string}],
        [
          {:session_id, "session_id", {:nullable, :string}},
          {:model_seq_id, "model_seq_id", {:nullable, :integer}},
          {:destination_project_id, "destination_project_id", {:nullable, :string}},
          {:ttl_seconds, "ttl_seconds", {:nullable, :integer}},
          {:weights_access_token, "weights_access_token", :string}
        ],
        :sync
      },
      {
        :get_checkpoint_archive_url_by_tinker_path,
        "get_checkpoint_archive_url_by_tinker_path",
        [{:tinker_path, "tinker_path", :string}],
        [],
        :sync
      },
      {
        :delete_checkpoint_by_tinker_path,
        "delete_checkpoint_by_tinker_path",
        [{:tinker_path, "tinker_path", :string}],
        [],
        :sync
      },
      {
        :publish_checkpoint_from_tinker_path,
        "publish_checkpoint_from_tinker_path",
        [{:tinker_path, "tinker_path", :string}],
        [],
        :sync
      },
      {
        :unpublish_checkpoint_from_tinker_path,
        "unpublish_checkpoint_from_tinker_path",
        [{:tinker_path, "tinker_path", :string}],
        [],
        :sync
      },
      {
        :set_checkpoint_ttl_from_tinker_path,
        "set_checkpoint_ttl_from_tinker_path",
        [{:tinker_path, "tinker_path", :string}],
        [{:ttl_seconds, "ttl_seconds", {:nullable, :integer}}],
        :sync
      },
      {
        :get_training_run_by_tinker_path,
        "get_training_run_by_tinker_path",
        [{:tinker_path, "tinker_path", :string}],
        [
          {
            :access_scope,
            "access_scope",
            {:one_of, [{:literal, "owned"}, {:literal, "accessible"}]}
          }
        ],
        :sync
      }
    ]
  end
end
