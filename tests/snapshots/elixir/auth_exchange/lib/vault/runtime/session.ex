defmodule Vault.Runtime.Session do
  @moduledoc false
  # The manifest's session_lifecycle: the session is created when a client first needs its id (so a
  # client that never needs one never creates one), then kept alive by a heartbeat every interval,
  # sent from a task so that reading the id never waits for a heartbeat. A stop status ends the
  # heartbeat; a warning is logged once no heartbeat has succeeded for `warn_after_ms`. Clients
  # derived from one another share one session.

  use GenServer

  require Logger

  alias Vault.Config
  alias Vault.Error
  alias Vault.Runtime.Clock
  alias Vault.Runtime.Context
  alias Vault.Runtime.Request
  alias Vault.Runtime.Retry
  alias Vault.Runtime.TelemetryReporter
  alias Vault.Spec
  alias Vault.Telemetry

  @doc false
  def start_link(opts), do: GenServer.start_link(__MODULE__, opts)

  @doc "The session's id, creating the session (and starting its heartbeat) on first use."
  @spec session_id(pid()) :: {:ok, String.t()} | {:error, Error.t()}
  def session_id(pid), do: GenServer.call(pid, :session_id, :infinity)

  @doc "The session's id if it exists, without creating it."
  @spec current(pid()) :: String.t() | nil
  def current(pid), do: GenServer.call(pid, :current)

  @doc "How many heartbeats succeeded."
  @spec beats(pid()) :: non_neg_integer()
  def beats(pid), do: GenServer.call(pid, :beats)

  @doc "Stops the heartbeat."
  @spec stop(pid()) :: :ok
  def stop(pid) do
    GenServer.stop(pid, :normal, :infinity)
  catch
    :exit, _ -> :ok
  end

  @impl true
  def init(opts) do
    config = Keyword.fetch!(opts, :config)

    reporter = Keyword.get(opts, :reporter)

    {:ok,
     %{
       ctx: %{Context.new(config) | reporter: reporter},
       spec: Keyword.fetch!(opts, :spec),
       session_id: nil,
       beats: 0,
       last_ok: nil,
       warned: false,
       stopped: false
     }}
  end

  @impl true
  def handle_call(:session_id, _from, %{session_id: id} = state) when id != nil,
    do: {:reply, {:ok, id}, state}

  def handle_call(:session_id, _from, state) do
    %{ctx: ctx, spec: spec} = state

    with {:ok, response} <-
           Request.send(ctx, Spec.endpoint(spec.create), body: create_body(spec, ctx.config)),
         {:ok, id} <- session_id_of(spec, Request.parse_body(response.body)) do
      TelemetryReporter.session_started(ctx.reporter, id)
      schedule(state)
      {:reply, {:ok, id}, %{state | session_id: id, last_ok: Clock.now()}}
    else
      {:error, error} -> {:reply, {:error, error}, state}
    end
  end

  def handle_call(:current, _from, state), do: {:reply, state.session_id, state}
  def handle_call(:beats, _from, state), do: {:reply, state.beats, state}

  @impl true
  def handle_info(:beat, %{stopped: false, session_id: id} = state) do
    %{ctx: ctx, spec: spec} = state
    holder = self()
    endpoint = %{Spec.endpoint(spec.heartbeat) | timeout_ms: spec.heartbeat_timeout_ms}
    params = %{spec.session_id_field => id}
    # the session id goes where the heartbeat endpoint takes it: its path, else its body
    request =
      if spec.heartbeat_in_path,
        do: [path: params],
        else: [body: Map.merge(spec.heartbeat_body, params)]

    Task.start(fn ->
      send(holder, {:beat_done, Request.send(ctx, endpoint, request)})
    end)

    {:noreply, state}
  end

  def handle_info(:beat, state), do: {:noreply, state}

  def handle_info({:beat_done, {:ok, _response}}, state) do
    schedule(state)
    {:noreply, %{state | beats: state.beats + 1, last_ok: Clock.now(), warned: false}}
  end

  def handle_info({:beat_done, {:error, error}}, state) do
    Telemetry.emit([:session, :heartbeat_failed], %{}, %{
      session_id: state.session_id,
      error: error
    })

    if error.type == :api_status and Retry.in_ranges?(state.spec.stop_statuses, error.status) do
      {:noreply, %{state | stopped: true}}
    else
      schedule(state)
      {:noreply, maybe_warn(state)}
    end
  end

  # a missed heartbeat is not fatal; a long silence is worth one warning
  defp maybe_warn(%{warned: false, spec: %{warn_after_ms: warn_after}} = state)
       when warn_after != nil do
    silent = Clock.now() - state.last_ok

    if silent >= Clock.scaled(state.ctx.config, warn_after) do
      # the line the other SDKs log
      Logger.warning(
        "session #{state.session_id}: no successful heartbeat for #{div(silent, 1000)} s"
      )

      %{state | warned: true}
    else
      state
    end
  end

  defp maybe_warn(state), do: state

  defp schedule(%{spec: %{heartbeat: nil}}), do: :ok

  defp schedule(%{spec: spec, ctx: ctx}) do
    Clock.send_after(ctx.config, self(), :beat, spec.interval_ms)
    :ok
  end

  defp session_id_of(spec, body) do
    case is_map(body) && Map.get(body, spec.session_id_field) do
      id when is_binary(id) ->
        {:ok, id}

      _ ->
        message = "the session answer has no `#{spec.session_id_field}`"
        {:error, Error.new(:validation, message, data: %{reason: :response, body: body})}
    end
  end

  # The create request's body: the manifest's constants and the configured options (an absent
  # option leaves its field out, or sends null when the request requires the field).
  defp create_body(spec, config) do
    Enum.reduce(spec.create_config, spec.create_body, fn {field, option, required?}, body ->
      case Config.option(config, option) do
        nil when not required? -> body
        value -> Map.put(body, field, value)
      end
    end)
  end
end
