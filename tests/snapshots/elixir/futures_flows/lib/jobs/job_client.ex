defmodule Jobs.JobClient do
  @moduledoc """
  The `job` client of the jobs API.

  A struct: `new/1` makes one from a configuration.

  Every function answers `{:ok, value}` or `{:error, %Jobs.Error{}}`; one whose result the server
  computes later answers `{:ok, task}` (`Task.await/2` gives the result).
  """

  alias Jobs.API.Artifacts
  alias Jobs.Config
  alias Jobs.Error
  alias Jobs.Runtime.Client
  alias Jobs.Types.Artifact
  alias Jobs.Types.ArtifactList
  alias Jobs.Types.Status

  defstruct [:job_id, :label, :config, :context]

  @typedoc "A client: its state and configuration."
  @type t :: %__MODULE__{
          job_id: String.t() | nil,
          label: String.t() | nil,
          config: Config.t(),
          context: term()
        }

  @typedoc "A call's value, or the error."
  @type result(value) :: {:ok, value} | {:error, Error.t()}

  @doc """
  A client from options: those of `Jobs.Config` (`:api_key`, `:base_url`, ...) or `:config`, and
  its state: `:job_id`, `:label`. Raises `ArgumentError` for an invalid configuration.
  """
  @spec new(keyword()) :: t()
  def new(opts \\ []) do
    case Client.new_struct(__MODULE__, opts) do
      {:ok, client} -> client
      {:error, %Error{message: message}} -> raise ArgumentError, message
    end
  end

  @doc "A client with this state (`:job_id`, `:label`) and configuration."
  @spec new(String.t() | nil, String.t() | nil, Config.t()) :: t()
  def new(job_id, label, %Config{} = config) do
    new(job_id: job_id, label: label, config: config)
  end

  @doc false
  def __client__, do: %{process: false, state: [:job_id, :label], counters: []}

  @doc """
  A copy of the client whose calls use these request options by default (`:timeout` in
  milliseconds, `:max_retries`, `:headers`, `:query`, `:body`, `:idempotency_key`), over the
  client's own. The copy shares the client's connections, session and telemetry; a call's own
  `:request_options` win over it (headers, query and body merge). An unknown option raises
  `ArgumentError`.
  """
  @spec with_options(t(), keyword()) :: t()
  def with_options(job, request_options), do: Client.with_options(job, request_options)

  @doc """
  Archive a job. The server answers a future that resolves to nothing.

  `POST /jobs/{job_id}/archive`

  Answers `{:ok, task}`: the request is sent now, the task polls its result.

  **Deprecated.** The API deprecates it; it may be removed in a later version.

  ## Options

    * `:timeout` - the HTTP timeout of this call's requests, in milliseconds
    * `:request_options` - this call's options: `:timeout` (ms), `:max_retries`, `:headers`, `:query`, `:body`, `:idempotency_key`
  """
  @deprecated "The API deprecates it; it may be removed in a later version."
  @spec archive(t(), String.t(), keyword()) :: {:ok, Task.t()}
  def archive(job, job_id, opts \\ []) do
    Client.check_options!(opts, [], "archive/3")
    c = Client.handle(job, opts)
    Jobs.API.Jobs.archive_future(%{job_id: job_id}, client: c)
  end

  @doc """
  Archive the job and wait until the server has (its future resolves to nothing).

  ## Options

    * `:timeout` - the HTTP timeout of this call's requests, in milliseconds
    * `:request_options` - this call's options: `:timeout` (ms), `:max_retries`, `:headers`, `:query`, `:body`, `:idempotency_key`
  """
  @spec archive_and_wait(t(), keyword()) :: result(nil)
  def archive_and_wait(job, opts \\ []) do
    Client.check_options!(opts, [], "archive_and_wait/2")
    c = Client.handle(job, opts)

    with {:ok, _} <-
           Client.call_future(
             c,
             "jobs.archive",
             path: %{"job_id" => Client.state(c, :job_id)},
             decode: :none
           ) do
      {:ok, nil}
    end
  end

  @doc "Like `archive_and_wait/2`, in a `Task` (`Task.await/2` gives its result)."
  @spec archive_and_wait_async(t(), keyword()) :: Task.t()
  def archive_and_wait_async(job, opts \\ []) do
    Task.async(fn -> archive_and_wait(job, opts) end)
  end

  @doc """
  Fetch the job's artifact list and the service status at once.

  **Deprecated.** The API deprecates it; it may be removed in a later version.

  ## Options

    * `:timeout` - the HTTP timeout of this call's requests, in milliseconds
    * `:request_options` - this call's options: `:timeout` (ms), `:max_retries`, `:headers`, `:query`, `:body`, `:idempotency_key`
  """
  @deprecated "The API deprecates it; it may be removed in a later version."
  @spec describe(t(), keyword()) :: result(ArtifactList.t())
  def describe(job, opts \\ []) do
    Client.check_options!(opts, [], "describe/2")
    c = Client.handle(job, opts)

    with {:ok, [step_artifacts, _step_status]} <-
           Client.concurrently([
             fn ->
               Client.call(
                 c,
                 "artifacts.list",
                 path: %{"job_id" => Client.state(c, :job_id)},
                 decode: ArtifactList
               )
             end,
             fn -> Client.call(c, "system.status", decode: Status) end
           ]) do
      {:ok, step_artifacts}
    end
  end

  @doc "Like `describe/2`, in a `Task` (`Task.await/2` gives its result)."
  @deprecated "The API deprecates it; it may be removed in a later version."
  @spec describe_async(t(), keyword()) :: Task.t()
  def describe_async(job, opts \\ []) do
    Task.async(fn -> describe(job, opts) end)
  end

  @doc """
  `GET /jobs/{job_id}/artifacts/{+artifact_path}`

  ## Options

    * `:timeout` - the HTTP timeout of this call's requests, in milliseconds
    * `:request_options` - this call's options: `:timeout` (ms), `:max_retries`, `:headers`, `:query`, `:body`, `:idempotency_key`
  """
  @spec get(t(), String.t(), String.t(), keyword()) :: result(Artifact.t())
  def get(job, job_id, artifact_path, opts \\ []) do
    Client.check_options!(opts, [], "get/4")
    c = Client.handle(job, opts)
    Artifacts.get(%{job_id: job_id, artifact_path: artifact_path}, client: c)
  end

  @doc "Like `get/4`, in a `Task` (`Task.await/2` gives its result)."
  @spec get_async(t(), String.t(), String.t(), keyword()) :: Task.t()
  def get_async(job, job_id, artifact_path, opts \\ []) do
    Task.async(fn -> get(job, job_id, artifact_path, opts) end)
  end

  @doc """
  `GET /jobs/{job_id}/artifacts`

  ## Options

    * `:timeout` - the HTTP timeout of this call's requests, in milliseconds
    * `:request_options` - this call's options: `:timeout` (ms), `:max_retries`, `:headers`, `:query`, `:body`, `:idempotency_key`
  """
  @spec list(t(), String.t(), keyword()) :: result(ArtifactList.t())
  def list(job, job_id, opts \\ []) do
    Client.check_options!(opts, [], "list/3")
    c = Client.handle(job, opts)
    Artifacts.list(%{job_id: job_id}, client: c)
  end

  @doc "Like `list/3`, in a `Task` (`Task.await/2` gives its result)."
  @spec list_async(t(), String.t(), keyword()) :: Task.t()
  def list_async(job, job_id, opts \\ []) do
    Task.async(fn -> list(job, job_id, opts) end)
  end

  @doc false
  def __methods__ do
    [
      {:archive, "archive", [{:job_id, "job_id", :string}], [], :task},
      {:archive_and_wait, "archive_and_wait", [], [], :sync},
      {:describe, "describe", [], [], :sync},
      {
        :get,
        "get",
        [{:job_id, "job_id", :string}, {:artifact_path, "artifact_path", :string}],
        [],
        :sync
      },
      {:list, "list", [{:job_id, "job_id", :string}], [], :sync}
    ]
  end
end
