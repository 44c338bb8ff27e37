defmodule Tinker.Runtime.TelemetryReporter do
  @moduledoc false
  # The manifest's telemetry feature, one reporter per client family. Events are queued without
  # blocking the caller (casts) and sent to the telemetry endpoint in batches of `batch_size`: when
  # a batch is full, every `flush_interval_ms` while events wait, and when the client closes (for
  # at most `drain_timeout_ms`). The queue is bounded: events beyond `max_queue_size` are dropped
  # and counted. A failing telemetry endpoint never fails a call: the batch is dropped and counted.
  # When the batch carries the session id, events wait until the session exists. Events never
  # carry the API key.

  use GenServer

  alias Tinker.Error
  alias Tinker.Runtime.Clock
  alias Tinker.Runtime.Context
  alias Tinker.Runtime.Request
  alias Tinker.Runtime.TelemetrySpec
  alias Tinker.Spec

  @doc false
  def start_link(opts), do: GenServer.start_link(__MODULE__, opts)

  @doc """
  Queues an event of a kind the manifest declares (`"generic"`, `"error"`, ...) with values for
  the fields its record has (`"event_name"`, `"event_data"`, `"error_type"`, ...).
  """
  @spec event(pid() | nil, String.t(), map()) :: :ok
  def event(nil, _kind, _values), do: :ok
  def event(pid, kind, values), do: GenServer.cast(pid, {:event, kind, values})

  @doc "The session exists: batches can carry its id; its start is an event."
  @spec session_started(pid() | nil, String.t()) :: :ok
  def session_started(nil, _session_id), do: :ok
  def session_started(pid, session_id), do: GenServer.cast(pid, {:session, session_id})

  @doc "A failed call, as an `error` event (failures of the telemetry endpoint itself are not)."
  @spec error(pid() | nil, String.t(), Error.t()) :: :ok
  def error(nil, _endpoint_id, _error), do: :ok

  def error(pid, endpoint_id, %Error{} = error),
    do: GenServer.cast(pid, {:error, endpoint_id, error})

  @doc "Sends what is queued now; answers how many events were sent."
  @spec flush(pid()) :: non_neg_integer()
  def flush(pid), do: GenServer.call(pid, :flush, :infinity)

  @doc "Counters: events `sent`, `dropped` (queue full or batch failed), `failed_batches`."
  @spec stats(pid()) :: map()
  def stats(pid), do: GenServer.call(pid, :stats)

  @doc "Reports the session's end, sends what is queued (within the drain timeout) and stops."
  @spec stop(pid()) :: :ok
  def stop(pid) do
    GenServer.stop(pid, :normal, :infinity)
  catch
    :exit, _ -> :ok
  end

  @impl true
  def init(opts) do
    config = Keyword.fetch!(opts, :config)
    %TelemetrySpec{} = spec = Keyword.fetch!(opts, :spec)
    Clock.send_after(config, self(), :tick, spec.flush_interval_ms)

    {:ok,
     %{
       ctx: Context.new(config),
       spec: spec,
       endpoint: %{Spec.endpoint(spec.endpoint) | timeout_ms: spec.timeout_ms},
       queue: :queue.new(),
       size: 0,
       index: 0,
       session_id: nil,
       started: Clock.now(),
       sent: 0,
       dropped: 0,
       failed_batches: 0
     }}
  end

  @impl true
  def handle_cast({:event, kind, values}, state), do: {:noreply, queue(state, kind, values)}

  def handle_cast({:session, session_id}, state) do
    {:noreply, queue(%{state | session_id: session_id}, "session_start", %{})}
  end

  def handle_cast({:error, endpoint_id, error}, state) do
    if endpoint_id == state.spec.endpoint do
      {:noreply, state}
    else
      values = %{"error_type" => Error.name(error), "error_message" => Error.format(error)}
      {:noreply, queue(state, "error", values)}
    end
  end

  @impl true
  def handle_call(:flush, _from, state) do
    before = state.sent
    state = send_batches(state, nil)
    {:reply, state.sent - before, state}
  end

  def handle_call(:stats, _from, state) do
    {:reply, Map.take(state, [:sent, :dropped, :failed_batches, :size]), state}
  end

  @impl true
  def handle_info(:tick, state) do
    state = send_batches(state, nil)
    Clock.send_after(state.ctx.config, self(), :tick, state.spec.flush_interval_ms)
    {:noreply, state}
  end

  def handle_info(_message, state), do: {:noreply, state}

  @impl true
  def terminate(_reason, state) do
    state =
      if state.session_id,
        do: queue(state, "session_end", %{"duration" => duration(state)}),
        else: state

    deadline = Clock.now() + Clock.scaled(state.ctx.config, state.spec.drain_timeout_ms)
    send_batches(state, deadline)
    :ok
  end

  # -- the queue ------------------------------------------------------------------------------------

  defp queue(state, kind, values) do
    case Map.fetch(state.spec.kinds, kind) do
      :error ->
        state

      {:ok, _shape} when state.size >= state.spec.max_queue_size ->
        %{state | dropped: state.dropped + 1}

      {:ok, shape} ->
        event = build(shape, kind, values, state.index)
        state = %{state | queue: :queue.in(event, state.queue), size: state.size + 1}
        state = %{state | index: state.index + 1}
        if state.size >= state.spec.batch_size, do: send_batches(state, nil), else: state
    end
  end

  # The fields of the kind's record the SDK knows how to fill, and the union tag.
  defp build(shape, kind, values, index) do
    standard = %{
      "event_id" => Request.idempotency_key(),
      "event_session_index" => index,
      "severity" => if(kind == "error", do: "ERROR", else: "INFO"),
      "timestamp" => DateTime.to_iso8601(DateTime.utc_now())
    }

    event =
      standard
      |> Map.merge(values)
      |> Map.filter(fn {key, value} -> key in shape.fields and value != nil end)

    if shape.tag_field, do: Map.put(event, shape.tag_field, shape.tag), else: event
  end

  defp duration(state) do
    seconds = (Clock.now() - state.started) / 1000
    "PT" <> :erlang.float_to_binary(seconds, decimals: 3) <> "S"
  end

  # -- sending --------------------------------------------------------------------------------------

  # batches until the queue is empty, the deadline passes, or the session id is still missing
  defp send_batches(%{size: 0} = state, _deadline), do: state

  defp send_batches(%{spec: %{session_id_field: field}, session_id: nil} = state, _deadline)
       when field != nil,
       do: state

  defp send_batches(state, deadline) do
    if deadline != nil and Clock.now() >= deadline do
      %{state | dropped: state.dropped + state.size, queue: :queue.new(), size: 0}
    else
      {events, rest} = take(state.queue, state.spec.batch_size, [])
      state = %{state | queue: rest, size: state.size - length(events)}

      state =
        case Request.send(state.ctx, state.endpoint, body: body(state, events)) do
          {:ok, _response} ->
            %{state | sent: state.sent + length(events)}

          {:error, _error} ->
            %{
              state
              | dropped: state.dropped + length(events),
                failed_batches: state.failed_batches + 1
            }
        end

      send_batches(state, deadline)
    end
  end

  defp take(queue, 0, acc), do: {Enum.reverse(acc), queue}

  defp take(queue, n, acc) do
    case :queue.out(queue) do
      {{:value, item}, rest} -> take(rest, n - 1, [item | acc])
      {:empty, rest} -> {Enum.reverse(acc), rest}
    end
  end

  defp body(state, events) do
    spec = state.spec

    [
      {spec.session_id_field, state.session_id},
      {spec.process_id_field, process_id()},
      {spec.platform_field, platform()},
      {spec.sdk_version_field, spec.sdk_version}
    ]
    |> Enum.reject(fn {field, _value} -> field == nil end)
    |> Map.new()
    |> Map.put(spec.events_field, events)
  end

  # one id for the whole OS process, made on first use
  defp process_id do
    case :persistent_term.get({__MODULE__, :process_id}, nil) do
      nil ->
        id = Request.idempotency_key()
        :persistent_term.put({__MODULE__, :process_id}, id)
        id

      id ->
        id
    end
  end

  defp platform do
    case :os.type() do
      {:win32, _} -> "windows"
      {_, name} -> Atom.to_string(name)
    end
  end
end
