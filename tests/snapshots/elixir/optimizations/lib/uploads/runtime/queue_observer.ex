defmodule Uploads.Runtime.QueueObserver do
  @moduledoc false
  # Who hears about queue-state changes of a pending future: the client's observer when it has
  # one, else the endpoint's queue-state log (the manifest's queue_state_observer feature: a
  # debounced log line), else nobody. Every change is also a telemetry event.

  require Logger

  alias Uploads.Runtime.Clock
  alias Uploads.Runtime.Context
  alias Uploads.Runtime.Endpoint
  alias Uploads.Runtime.QueueLog
  alias Uploads.Telemetry

  @table :uploads_queue_log

  @type t ::
          {:user, term(), String.t() | nil}
          | {:log, QueueLog.t(), String.t() | nil, Context.t()}
          | {:none, String.t() | nil}

  @doc "The observer of futures answered by `endpoint`."
  @spec for(Context.t(), Endpoint.t() | nil) :: t()
  def for(%Context{config: config} = ctx, endpoint) do
    endpoint_id = endpoint && endpoint.id

    cond do
      config.queue_state_observer != nil ->
        {:user, config.queue_state_observer, endpoint_id}

      endpoint != nil and endpoint.queue_log != nil ->
        {:log, endpoint.queue_log, endpoint_id, ctx}

      true ->
        {:none, endpoint_id}
    end
  end

  @doc "Tells the observer (and telemetry) that the queue state changed."
  @spec notify(t(), atom(), map()) :: :ok
  def notify(observer, state, metadata) do
    metadata = Map.put(metadata, :endpoint, endpoint_of(observer))
    Telemetry.emit([:queue, :state_change], %{}, Map.put(metadata, :queue_state, state))
    deliver(observer, state, metadata)
    :ok
  end

  defp endpoint_of({:user, _observer, endpoint_id}), do: endpoint_id
  defp endpoint_of({:log, _log, endpoint_id, _ctx}), do: endpoint_id
  defp endpoint_of({:none, endpoint_id}), do: endpoint_id

  defp deliver({:user, fun, _}, state, metadata) when is_function(fun, 2),
    do: fun.(state, metadata)

  defp deliver({:user, fun, _}, state, _metadata) when is_function(fun, 1), do: fun.(state)

  defp deliver({:user, module, _}, state, metadata) when is_atom(module) do
    cond do
      function_exported?(module, :on_queue_state_change, 2) ->
        module.on_queue_state_change(state, metadata)

      function_exported?(module, :on_queue_state_change, 1) ->
        module.on_queue_state_change(state)

      true ->
        :ok
    end
  end

  defp deliver({:log, log, endpoint_id, ctx}, state, metadata) do
    # marks are the process's (as Tinkex's), per feature, endpoint and the calling client's key
    key = {log.id, endpoint_id, log.key}
    log(log, key, Clock.scaled(ctx.config, log.debounce_ms), state, metadata)
  end

  defp deliver(_observer, _state, _metadata), do: :ok

  @doc """
  Logs a queue-state change at the log's level, unless the same key logged one less than
  `debounce_ms` ago.
  """
  @spec log(QueueLog.t(), term(), non_neg_integer(), atom() | String.t(), map()) :: :ok
  def log(%QueueLog{} = log, key, debounce_ms, state, metadata) do
    now = Clock.now()
    table? = :ets.whereis(@table) != :undefined

    due? =
      case table? and :ets.lookup(@table, key) do
        [{^key, at}] -> now - at >= debounce_ms
        _ -> true
      end

    if due? do
      if table?, do: :ets.insert(@table, {key, now})
      reason = metadata[:queue_state_reason]
      detail = if reason, do: " (#{reason})", else: ""
      Logger.log(log.level, "#{metadata[:endpoint] || log.id}: queue state #{state}#{detail}")
    end

    :ok
  end

  @doc "Forgets the debounce marks, so the next change of each is logged."
  @spec clear_debounce() :: :ok
  def clear_debounce do
    if :ets.whereis(@table) != :undefined, do: :ets.delete_all_objects(@table)
    :ok
  end

  @doc """
  Forgets the debounce marks of one key (a sampling session id, a model id): its next change is
  logged at once (Tinkex's `SamplingClient.clear_queue_state_debounce/1`).
  """
  @spec clear_debounce(String.t()) :: :ok
  def clear_debounce(key) when is_binary(key) do
    if :ets.whereis(@table) != :undefined, do: :ets.match_delete(@table, {{:_, :_, key}, :_})
    :ok
  end

  @doc "The endpoint with its queue log keyed by the calling client's state (see `QueueLog`)."
  @spec keyed(Endpoint.t(), map()) :: Endpoint.t()
  def keyed(%{queue_log: %QueueLog{key_fields: [_ | _] = fields} = log} = endpoint, state) do
    key = Enum.find_value(fields, &(state |> Map.get(&1) |> key_text()))
    %{endpoint | queue_log: %{log | key: key}}
  end

  def keyed(endpoint, _state), do: endpoint

  defp key_text(nil), do: nil
  defp key_text(value) when is_binary(value), do: value
  defp key_text(value), do: to_string(value)
end
