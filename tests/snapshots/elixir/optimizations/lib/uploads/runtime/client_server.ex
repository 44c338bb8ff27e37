defmodule Uploads.Runtime.ClientServer do
  @moduledoc false
  # The GenServer behind a client that is a process. It holds what must be shared by every call:
  # the context, the state fields and the counters (atomics, so that taking the next value never
  # waits for the process). A client started by the user (a root) owns its context: it starts the
  # session holder, the supervisor of derived clients and the telemetry reporter, and stops them
  # when it stops. A client derived by a flow shares its parent's context.

  alias Uploads.Config
  alias Uploads.Error
  alias Uploads.Runtime.Client
  alias Uploads.Runtime.Context

  # where a client process keeps its family's telemetry reporter (Tinkex's `get_telemetry/0`)
  @telemetry_key :uploads_telemetry

  @doc """
  Starts a client process. Options: the `Uploads.Config` options (or `:config`), the client's
  state fields, and `:name`. Answers `{:error, %Error{}}` for an invalid configuration.
  """
  @spec start_link(module(), keyword()) :: GenServer.on_start() | {:error, Error.t()}
  def start_link(module, opts) do
    {name, opts} = Keyword.pop(opts, :name)
    gen_opts = if name, do: [name: name], else: []

    case Keyword.fetch(opts, :context) do
      {:ok, %Context{} = ctx} ->
        GenServer.start_link(module, {:derived, ctx, Keyword.get(opts, :state, %{})}, gen_opts)

      :error ->
        with :ok <- Config.known_options(opts, module.__client__().state),
             {:ok, config} <- Config.build(Keyword.take(opts, Config.options())) do
          state = Map.new(Keyword.take(opts, module.__client__().state))
          GenServer.start_link(module, {:root, config, state}, gen_opts)
        end
    end
  end

  @doc "A derived client under the context's supervisor (or linked to the caller)."
  @spec start_child(Context.t(), module(), map()) :: {:ok, pid()} | {:error, term()}
  def start_child(%Context{supervisor: nil} = ctx, module, state),
    do: module.start_link(context: ctx, state: state)

  def start_child(%Context{supervisor: supervisor} = ctx, module, state),
    do: DynamicSupervisor.start_child(supervisor, {module, context: ctx, state: state})

  @doc false
  def init(module, {:root, config, state}) do
    # stop (and close the context) when the process that started the client stops
    Process.flag(:trap_exit, true)

    case Context.start(config) do
      {:ok, ctx} -> {:ok, server_state(module, ctx, state, true)}
      {:error, reason} -> {:stop, reason}
    end
  end

  def init(module, {:derived, ctx, state}), do: {:ok, server_state(module, ctx, state, false)}

  @doc "The telemetry reporter of the client process calling this (nil elsewhere)."
  @spec telemetry_here() :: pid() | nil
  def telemetry_here, do: Process.get(@telemetry_key)

  defp server_state(module, ctx, state, owner?) do
    if ctx.reporter, do: Process.put(@telemetry_key, ctx.reporter)

    counters = module.__client__().counters

    %{
      handle: %Client{
        module: module,
        context: ctx,
        pid: self(),
        state: state,
        counters: :atomics.new(max(length(counters), 1), signed: false),
        counter_names: counters
      },
      owner?: owner?
    }
  end

  @doc false
  def handle_call(:__handle__, _from, server), do: {:reply, server.handle, server}

  # The lanes of ordered counters: one holder at a time per counter, the others answered in the
  # order they asked (a queue); a holder that dies leaves its lane (monitored).
  def handle_call({:__lane_enter__, counter}, {pid, _} = from, server) do
    lanes = Map.get(server, :lanes, %{})

    case Map.get(lanes, counter) do
      nil ->
        lane = %{holder: {pid, Process.monitor(pid)}, waiting: :queue.new()}
        {:reply, :ok, Map.put(server, :lanes, Map.put(lanes, counter, lane))}

      lane ->
        lane = %{lane | waiting: :queue.in(from, lane.waiting)}
        {:noreply, Map.put(server, :lanes, Map.put(lanes, counter, lane))}
    end
  end

  def handle_call({:__lane_leave__, counter}, {pid, _}, server),
    do: {:reply, :ok, leave_lane(server, counter, pid)}

  def handle_call(_request, _from, server), do: {:reply, {:error, :unsupported}, server}

  defp leave_lane(server, counter, pid) do
    lanes = Map.get(server, :lanes, %{})

    case Map.get(lanes, counter) do
      %{holder: {^pid, ref}} = lane ->
        Process.demonitor(ref, [:flush])
        Map.put(server, :lanes, next_holder(lanes, counter, lane.waiting))

      _ ->
        server
    end
  end

  defp next_holder(lanes, counter, waiting) do
    case :queue.out(waiting) do
      {:empty, _} ->
        Map.delete(lanes, counter)

      {{:value, {pid, _} = from}, rest} ->
        if Process.alive?(pid) do
          GenServer.reply(from, :ok)
          Map.put(lanes, counter, %{holder: {pid, Process.monitor(pid)}, waiting: rest})
        else
          next_holder(lanes, counter, rest)
        end
    end
  end

  @doc false
  # the parent stopped, or a process of the context died: stop too (terminate/2 closes the context)
  def handle_info({:EXIT, _pid, reason}, server) when reason != :normal,
    do: {:stop, reason, server}

  def handle_info({:DOWN, ref, :process, pid, _reason}, server) do
    held = for {counter, %{holder: {^pid, ^ref}}} <- Map.get(server, :lanes, %{}), do: counter

    {:noreply, Enum.reduce(held, server, &leave_lane(&2, &1, pid))}
  end

  def handle_info(_message, server), do: {:noreply, server}

  @doc false
  def terminate(_reason, %{owner?: true, handle: handle}), do: Context.close(handle.context)
  def terminate(_reason, _server), do: :ok
end
