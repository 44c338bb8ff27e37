defmodule Tinkc.SDK.Runtime.Tables do
  @moduledoc false
  # Owns the SDK's shared ETS tables for the life of the application: the built-in telemetry
  # dispatcher's handlers, the debounce marks of the queue-state log, the exchanged auth tokens.

  use GenServer

  @handlers :tinkc_sdk_telemetry_handlers
  @queue_log :tinkc_sdk_queue_log
  @tokens :tinkc_sdk_auth_tokens

  @doc false
  def start_link(_opts), do: GenServer.start_link(__MODULE__, nil, name: __MODULE__)

  @impl true
  def init(nil) do
    :ets.new(@handlers, [:set, :public, :named_table, read_concurrency: true])
    :ets.new(@queue_log, [:set, :public, :named_table])
    :ets.new(@tokens, [:set, :public, :named_table])
    {:ok, nil}
  end
end
