defmodule Jobs.ServiceClient do
  @moduledoc """
  The `service` client of the jobs API.

  A process: `start_link/1` starts one from a configuration; clients made by its functions share
  its configuration and session, and stop with it.

  Every function answers `{:ok, value}` or `{:error, %Jobs.Error{}}`; one whose result the server
  computes later answers `{:ok, task}` (`Task.await/2` gives the result).
  """

  use GenServer

  alias Jobs.Error
  alias Jobs.JobClient
  alias Jobs.Runtime.Client
  alias Jobs.Runtime.ClientServer
  alias Jobs.Types.JobInput
  alias Jobs.Types.JobResult
  alias Jobs.Types.Status
  alias Jobs.Types.SubmitJob

  @typedoc "A client process: its pid or registered name, or a `with_options/2` copy of one."
  @type t :: GenServer.server() | Client.t()

  @typedoc "A call's value, or the error."
  @type result(value) :: {:ok, value} | {:error, Error.t()}

  @doc """
  Starts the client. Options: those of `Jobs.Config` (`:api_key`, `:base_url`, ...) or `:config`,
  and `:name`. A configuration error (no API key...) is `{:error, %Jobs.Error{}}`.
  """
  @spec start_link(keyword()) :: GenServer.on_start() | {:error, Error.t()}
  def start_link(opts \\ []), do: ClientServer.start_link(__MODULE__, opts)

  @doc false
  def __client__, do: %{process: true, state: [:job_seq], counters: [:job_seq]}

  @impl true
  def init(arg), do: ClientServer.init(__MODULE__, arg)

  @impl true
  def handle_call(request, from, state), do: ClientServer.handle_call(request, from, state)

  @impl true
  def handle_info(message, state), do: ClientServer.handle_info(message, state)

  @impl true
  def terminate(reason, state), do: ClientServer.terminate(reason, state)

  @doc """
  A copy of the client whose calls use these request options by default (`:timeout` in
  milliseconds, `:max_retries`, `:headers`, `:query`, `:body`, `:idempotency_key`), over the
  client's own. The copy shares the client's connections, session and telemetry; a call's own
  `:request_options` win over it (headers, query and body merge). An unknown option raises
  `ArgumentError`.
  """
  @spec with_options(t(), keyword()) :: t()
  def with_options(service, request_options), do: Client.with_options(service, request_options)

  @doc """
  `GET /status`

  ## Options

    * `:timeout` - the HTTP timeout of this call's requests, in milliseconds
    * `:request_options` - this call's options: `:timeout` (ms), `:max_retries`, `:headers`, `:query`, `:body`, `:idempotency_key`
  """
  @spec status(t(), keyword()) :: result(Status.t())
  def status(service, opts \\ []) do
    Client.check_options!(opts, [], "status/2")
    c = Client.handle(service, opts)
    Jobs.API.System.status(client: c)
  end

  @doc "Like `status/2`, in a `Task` (`Task.await/2` gives its result)."
  @spec status_async(t(), keyword()) :: Task.t()
  def status_async(service, opts \\ []) do
    Task.async(fn -> status(service, opts) end)
  end

  @doc """
  Submit a job, wait for it, and return a client bound to it.

  ## Options

    * `:timeout` - the HTTP timeout of this call's requests, in milliseconds
    * `:request_options` - this call's options: `:timeout` (ms), `:max_retries`, `:headers`, `:query`, `:body`, `:idempotency_key`
  """
  @spec start_job(t(), JobInput.t(), keyword()) :: result(JobClient.t())
  def start_job(service, input, opts \\ []) do
    Client.check_options!(opts, [], "start_job/3")
    c = Client.handle(service, opts)

    with {:ok, session_id} <- Client.session_id(c, :session_id),
         {:ok, step2} <-
           Client.call_future(
             c,
             "jobs.submit",
             body: %SubmitJob{
               session_id: session_id,
               seq: Client.next(c, :job_seq),
               input: input,
               project: Client.config_option(c, :project),
               priority: Client.config_option(c, :priority),
               queue: Client.server_value(c, "job_queue", "standard")
             },
             decode: JobResult
           ),
         {:ok, step3} <-
           Client.build(
             c,
             JobClient,
             %{job_id: step2.job_id, label: "#{session_id}:job:#{step2.job_id}"}
           ) do
      {:ok, step3}
    end
  end

  @doc "Like `start_job/3`, in a `Task` (`Task.await/2` gives its result)."
  @spec start_job_async(t(), JobInput.t(), keyword()) :: Task.t()
  def start_job_async(service, input, opts \\ []) do
    Task.async(fn -> start_job(service, input, opts) end)
  end

  @doc false
  def __methods__ do
    [
      {:status, "status", [], [], :sync},
      {:start_job, "start_job", [{:input, "input", JobInput}], [], :sync}
    ]
  end
end
