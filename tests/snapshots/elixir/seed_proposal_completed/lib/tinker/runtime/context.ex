defmodule Tinker.Runtime.Context do
  @moduledoc false
  # What a client shares with the clients derived from it: the configuration, the session (and its
  # heartbeat), the supervisor of derived client processes, the telemetry reporter and the retry
  # handlers' in-flight counters. The client that made the context owns its processes; closing it
  # stops the heartbeat and flushes telemetry.

  alias Tinker.Config
  alias Tinker.Runtime.Limiter
  alias Tinker.Runtime.Request
  alias Tinker.Runtime.Session
  alias Tinker.Runtime.TelemetryReporter
  alias Tinker.Spec

  defstruct [:config, :session, :supervisor, :reporter, limiters: %{}, server: %{}]

  @type t :: %__MODULE__{
          config: Config.t(),
          session: pid() | nil,
          supervisor: pid() | nil,
          reporter: pid() | nil,
          limiters: map(),
          server: map()
        }

  @doc "A context without processes (for a client that is a plain struct)."
  @spec new(Config.t()) :: t()
  def new(%Config{} = config),
    do: %__MODULE__{config: config, limiters: Limiter.new(Spec.handlers())}

  @doc """
  A context whose processes are linked to the caller (a client process in its `init/1`): the
  session holder, a supervisor for derived clients and, when enabled, the telemetry reporter.
  """
  @spec start(Config.t()) :: {:ok, t()} | {:error, term()}
  def start(%Config{} = config) do
    service = Spec.service()

    with {:ok, supervisor} <- DynamicSupervisor.start_link(strategy: :one_for_one),
         {:ok, reporter} <- start_reporter(config, service.telemetry),
         {:ok, session} <- start_session(config, service.session, reporter) do
      ctx = %{new(config) | supervisor: supervisor, session: session, reporter: reporter}
      {:ok, fetch_server_config(ctx)}
    end
  end

  @doc """
  The context with the server's configuration (the manifest's server_config feature): its
  endpoints fetched in order when a client family is created, before any other request; a JSON
  object's fields replace those fetched earlier. A fetch that fails in any way is skipped: the
  family keeps its defaults.
  """
  @spec fetch_server_config(t()) :: t()
  def fetch_server_config(%__MODULE__{} = ctx) do
    # a failed fetch is no error of the caller's: not reported to telemetry (as in every SDK)
    quiet = %{ctx | reporter: nil}

    Enum.reduce(Spec.service().server_config, ctx, fn {id, body}, acc ->
      with {:ok, response} <- Request.send(quiet, Spec.endpoint(id), body: body),
           %{} = values <- Request.parse_body(response.body) do
        %{acc | server: Map.merge(acc.server, values)}
      else
        _ -> acc
      end
    end)
  end

  defp start_session(_config, nil, _reporter), do: {:ok, nil}

  defp start_session(config, spec, reporter),
    do: Session.start_link(config: config, spec: spec, reporter: reporter)

  defp start_reporter(%Config{telemetry_enabled?: true} = config, spec) when spec != nil,
    do: TelemetryReporter.start_link(config: config, spec: spec)

  defp start_reporter(_config, _spec), do: {:ok, nil}

  @doc "Stops what the context started: flushes telemetry, ends the heartbeat, stops children."
  @spec close(t()) :: :ok
  def close(%__MODULE__{} = ctx) do
    if ctx.supervisor, do: stop_quietly(ctx.supervisor)
    if ctx.session, do: Session.stop(ctx.session)
    if ctx.reporter, do: TelemetryReporter.stop(ctx.reporter)
    :ok
  end

  defp stop_quietly(pid) do
    GenServer.stop(pid, :normal, :infinity)
  catch
    :exit, _ -> :ok
  end
end
