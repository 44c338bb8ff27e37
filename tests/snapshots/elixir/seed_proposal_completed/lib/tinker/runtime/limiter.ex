defmodule Tinker.Runtime.Limiter do
  @moduledoc false
  # The retry handler's bound on requests in flight: a counter per handler in the client's context
  # (shared by the clients derived from it). A request that finds every slot taken waits for one;
  # waiting longer than the handler's progress timeout fails the call as stuck.

  alias Tinker.Error
  alias Tinker.Runtime.Clock
  alias Tinker.Runtime.Context
  alias Tinker.Runtime.RetryHandler

  @poll_ms 2

  @doc "New counters, one per retry handler of the manifest."
  @spec new([RetryHandler.t()]) :: %{String.t() => :atomics.atomics_ref()}
  def new(handlers), do: Map.new(handlers, fn h -> {h.id, :atomics.new(1, signed: true)} end)

  @doc "Runs `fun` holding one of the handler's slots."
  @spec with_slot(Context.t(), RetryHandler.t(), (() -> result)) :: result | {:error, Error.t()}
        when result: term()
  def with_slot(%Context{limiters: limiters, config: config}, handler, fun) do
    case Map.fetch(limiters, handler.id) do
      :error ->
        fun.()

      {:ok, ref} ->
        deadline = Clock.now() + Clock.scaled(config, handler.progress_timeout_ms)

        case acquire(ref, handler.max_connections, deadline) do
          :ok ->
            try do
              fun.()
            after
              :atomics.sub(ref, 1, 1)
            end

          :timeout ->
            message =
              "#{handler.id}: stuck, no request slot for #{handler.progress_timeout_ms} ms"

            {:error, Error.new(:api_timeout, message)}
        end
    end
  end

  @doc "How many requests hold a slot of the handler now."
  @spec in_flight(Context.t(), String.t()) :: non_neg_integer()
  def in_flight(%Context{limiters: limiters}, id) do
    case Map.fetch(limiters, id) do
      {:ok, ref} -> :atomics.get(ref, 1)
      :error -> 0
    end
  end

  defp acquire(ref, max, deadline) do
    if :atomics.add_get(ref, 1, 1) <= max do
      :ok
    else
      :atomics.sub(ref, 1, 1)

      if Clock.now() >= deadline do
        :timeout
      else
        Process.sleep(@poll_ms)
        acquire(ref, max, deadline)
      end
    end
  end
end
