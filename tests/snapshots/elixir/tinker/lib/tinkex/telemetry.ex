defmodule Tinkex.Telemetry do
  @moduledoc """
  The telemetry events of this SDK, for metrics and logs.

  Events go through `:telemetry` when the application has it, else through a small built-in
  dispatcher with the same `attach/4`, `attach_many/4`, `detach/1` and `execute/3`. Events:

    * `[:tinkex, :http, :request, :start]` - measurements `%{system_time: t}`; metadata
      `%{endpoint: id, method: m, path: template}`;
    * `[:tinkex, :http, :request, :stop]` - `%{duration: native}`; the metadata adds `:result`
      (`:ok` or `:error`) and `:status`;
    * `[:tinkex, :queue, :state_change]` - a pending future's queue state changed: metadata
      `%{queue_state: state, queue_state_reason: reason, request_id: id, endpoint: id}`;
    * `[:tinkex, :session, :heartbeat_failed]` - metadata `%{session_id: id, error: error}`.

  No event carries the API key.
  """

  require Logger

  @compile {:no_warn_undefined, [:telemetry]}

  @prefix :tinkex
  @handlers :tinkex_telemetry_handlers

  @type event :: [atom()]
  @type handler :: (event(), map(), map(), term() -> any())

  @doc "The events this SDK emits."
  @spec events() :: [event()]
  def events do
    [
      [@prefix, :http, :request, :start],
      [@prefix, :http, :request, :stop],
      [@prefix, :queue, :state_change],
      [@prefix, :session, :heartbeat_failed]
    ]
  end

  @doc "Calls `function` for `event` (see `:telemetry.attach/4`)."
  @spec attach(term(), event(), handler(), term()) :: :ok | {:error, :already_exists}
  def attach(handler_id, event, function, config),
    do: attach_many(handler_id, [event], function, config)

  @doc "Calls `function` for each of `events`."
  @spec attach_many(term(), [event()], handler(), term()) :: :ok | {:error, :already_exists}
  def attach_many(handler_id, events, function, config) do
    if telemetry?() do
      :telemetry.attach_many(handler_id, events, function, config)
    else
      if :ets.insert_new(@handlers, {handler_id, events, function, config}),
        do: :ok,
        else: {:error, :already_exists}
    end
  end

  @doc "Removes a handler."
  @spec detach(term()) :: :ok | {:error, :not_found}
  def detach(handler_id) do
    cond do
      telemetry?() -> :telemetry.detach(handler_id)
      :ets.take(@handlers, handler_id) == [] -> {:error, :not_found}
      true -> :ok
    end
  end

  @doc "Emits `event` to the attached handlers."
  @spec execute(event(), map(), map()) :: :ok
  def execute(event, measurements, metadata) do
    if telemetry?() do
      :telemetry.execute(event, measurements, metadata)
    else
      dispatch(event, measurements, metadata)
    end
  end

  @doc """
  Logs every event of this SDK with `Logger` at `:level` (default `:debug`); answers the handler
  id to `detach/1`.
  """
  @spec attach_logger(keyword()) :: term()
  def attach_logger(opts \\ []) do
    id = Keyword.get(opts, :handler_id, {__MODULE__, :logger})
    level = Keyword.get(opts, :level, :debug)

    :ok = attach_many(id, Keyword.get(opts, :events, events()), &__MODULE__.log_event/4, level)

    id
  end

  @doc false
  def log_event(event, measurements, metadata, level) do
    Logger.log(level, fn -> "#{inspect(event)} #{inspect(measurements)} #{inspect(metadata)}" end)
  end

  @doc false
  @spec emit([atom()], map(), map()) :: :ok
  def emit(suffix, measurements, metadata),
    do: execute([@prefix | suffix], measurements, metadata)

  # Whether :telemetry is there does not change while the VM runs. Asking the code server on every
  # event made each request wait for it, and where the module is absent the server searches the
  # whole code path each time: milliseconds a request, more on a busy machine (the bimodal runs).
  defp telemetry? do
    case :persistent_term.get({__MODULE__, :telemetry?}, nil) do
      nil ->
        loaded = Code.ensure_loaded?(:telemetry)
        :persistent_term.put({__MODULE__, :telemetry?}, loaded)
        loaded

      loaded ->
        loaded
    end
  end

  # As :telemetry does, a handler that fails is detached (and the failure logged), never raised
  # into the caller.
  defp dispatch(event, measurements, metadata) do
    handlers = if :ets.whereis(@handlers) == :undefined, do: [], else: :ets.tab2list(@handlers)

    for {id, events, function, config} <- handlers, event in events do
      try do
        function.(event, measurements, metadata, config)
      rescue
        error ->
          Logger.error(
            "telemetry handler #{inspect(id)} failed and was detached: #{inspect(error)}"
          )

          :ets.delete(@handlers, id)
      end
    end

    :ok
  end
end
