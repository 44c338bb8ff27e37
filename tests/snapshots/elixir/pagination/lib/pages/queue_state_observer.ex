defmodule Pages.QueueStateObserver do
  @moduledoc """
  Told about the queue state of pending server-side futures (`:active`, `:paused_capacity`,
  `:unknown`, ...: the states the manifest lists, `:unknown` for any other).

  Pass a module implementing this behaviour, or a function of two arguments, as the
  `:queue_state_observer` option of a client (see `Pages.Config`). Without one, the queue-state
  changes of endpoints whose manifest attaches a queue-state log are logged, debounced. The
  metadata holds `:queue_state_reason` (the server's reason or nil), `:request_id` and `:endpoint`.
  """

  @callback on_queue_state_change(queue_state :: atom(), metadata :: map()) :: any()
  @callback on_queue_state_change(queue_state :: atom()) :: any()
  @optional_callbacks on_queue_state_change: 1, on_queue_state_change: 2
end
