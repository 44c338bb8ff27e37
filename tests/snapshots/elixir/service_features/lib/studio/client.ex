defmodule Studio.Client do
  @moduledoc """
  The `studio` client of the studio API.

  A process: `start_link/1` starts one from a configuration; clients made by its functions share
  its configuration and session, and stop with it.

  Every function answers `{:ok, value}` or `{:error, %Studio.Error{}}`; one whose result the
  server computes later answers `{:ok, task}` (`Task.await/2` gives the result).
  """

  use GenServer

  alias Studio.API.Renders
  alias Studio.Error
  alias Studio.Runtime.Client
  alias Studio.Runtime.ClientServer
  alias Studio.Types.Render
  alias Studio.Types.RenderRequest

  @typedoc "A client process: its pid or registered name, or a `with_options/2` copy of one."
  @type t :: GenServer.server() | Client.t()

  @typedoc "A call's value, or the error."
  @type result(value) :: {:ok, value} | {:error, Error.t()}

  @doc """
  Starts the client. Options: those of `Studio.Config` (`:api_key`, `:base_url`, ...) or
  `:config`, and `:name`. A configuration error (no API key...) is `{:error, %Studio.Error{}}`.
  """
  @spec start_link(keyword()) :: GenServer.on_start() | {:error, Error.t()}
  def start_link(opts \\ []), do: ClientServer.start_link(__MODULE__, opts)

  @doc false
  def __client__, do: %{process: true, state: [:gen_seq], counters: [:gen_seq]}

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
  def with_options(studio, request_options), do: Client.with_options(studio, request_options)

  @doc """
  The signed URL of a rendered file (the server answers a redirect).

  `GET /v2/renders/{+render_path}/file`

  ## Options

    * `:timeout` - the HTTP timeout of this call's requests, in milliseconds
    * `:request_options` - this call's options: `:timeout` (ms), `:max_retries`, `:headers`, `:query`, `:body`, `:idempotency_key`
  """
  @spec download(t(), String.t(), keyword()) :: result(String.t())
  def download(studio, render_path, opts \\ []) do
    Client.check_options!(opts, [], "download/3")
    c = Client.handle(studio, opts)
    Renders.download(%{render_path: render_path}, client: c)
  end

  @doc "Like `download/3`, in a `Task` (`Task.await/2` gives its result)."
  @spec download_async(t(), String.t(), keyword()) :: Task.t()
  def download_async(studio, render_path, opts \\ []) do
    Task.async(fn -> download(studio, render_path, opts) end)
  end

  @doc """
  Generate an image in this client's session.

  ## Options

    * `:large` (default: `false`)
    * `:timeout` - the HTTP timeout of this call's requests, in milliseconds
    * `:request_options` - this call's options: `:timeout` (ms), `:max_retries`, `:headers`, `:query`, `:body`, `:idempotency_key`
  """
  @spec generate(t(), String.t(), keyword()) :: result(Render.t())
  def generate(studio, prompt, opts \\ []) do
    Client.check_options!(opts, [:large], "generate/3")
    large = Keyword.get(opts, :large, false)
    c = Client.handle(studio, opts)

    with {:ok, session_id} <- Client.session_id(c, :session_id),
         {:ok, step1} <-
           Client.call(
             c,
             "renders.generate",
             body: %RenderRequest{
               session_id: session_id,
               seq: Client.next(c, :gen_seq),
               prompt: prompt,
               large: large
             },
             decode: Render
           ) do
      {:ok, step1}
    end
  end

  @doc "Like `generate/3`, in a `Task` (`Task.await/2` gives its result)."
  @spec generate_async(t(), String.t(), keyword()) :: Task.t()
  def generate_async(studio, prompt, opts \\ []) do
    Task.async(fn -> generate(studio, prompt, opts) end)
  end

  @doc "Queues a telemetry event (the manifest's `generic` kind): never blocks, never fails."
  @spec log_event(t(), String.t(), map()) :: :ok
  def log_event(studio, name, data \\ %{}) do
    Client.log_event(Client.handle(studio), name, data)
  end

  @doc "The telemetry reporter of the client's family: `{:error, :disabled}` when telemetry is off."
  @spec telemetry_reporter(t()) :: {:ok, pid()} | {:error, :disabled}
  def telemetry_reporter(studio), do: Client.telemetry_reporter(Client.handle(studio))

  @doc "The telemetry reporter of the client process calling this (in its callbacks), else nil."
  @spec get_telemetry() :: pid() | nil
  def get_telemetry, do: ClientServer.telemetry_here()

  @doc "The telemetry reporter of the client's family, or nil when telemetry is off."
  @spec get_telemetry(t()) :: pid() | nil
  def get_telemetry(studio) do
    case telemetry_reporter(studio) do
      {:ok, pid} -> pid
      {:error, :disabled} -> nil
    end
  end

  @doc false
  def __methods__ do
    [
      {:download, "download", [{:render_path, "render_path", :string}], [], :sync},
      {
        :generate,
        "generate",
        [{:prompt, "prompt", :string}],
        [{:large, "large", :boolean}],
        :sync
      }
    ]
  end
end
