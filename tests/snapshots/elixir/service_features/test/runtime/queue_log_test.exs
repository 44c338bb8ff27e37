defmodule Studio.Runtime.QueueLogTest do
  # Queue-state changes logged at the queue log's level, at most once per debounce for one key: the
  # line the Python and TypeScript SDKs log too (`<endpoint>: queue state <state> (<reason>)`).
  use ExUnit.Case, async: false

  import ExUnit.CaptureLog

  alias Studio.Runtime.QueueLog
  alias Studio.Runtime.QueueObserver

  setup do
    QueueObserver.clear_debounce()
    on_exit(&QueueObserver.clear_debounce/0)
  end

  defp change(log, key, state, endpoint, reason) do
    metadata = %{endpoint: endpoint, queue_state_reason: reason}
    capture_log(fn -> QueueObserver.log(log, key, 60_000, state, metadata) end)
  end

  test "a change is logged at the level, then not again within the debounce" do
    log = %QueueLog{id: "qlog", debounce_ms: 60_000, level: :warning}
    submit = {"qlog", "jobs.submit", "s-1"}

    first = change(log, submit, :paused_capacity, "jobs.submit", "busy")
    assert first =~ "[warning]"
    assert first =~ "jobs.submit: queue state paused_capacity (busy)"

    assert change(log, submit, :active, "jobs.submit", nil) == ""

    other = change(log, {"qlog", "jobs.other", "s-1"}, :active, "jobs.other", nil)
    assert other =~ "jobs.other: queue state active"
    refute other =~ "("
  end

  test "the level is the log's" do
    log = %QueueLog{id: "qlog", debounce_ms: 0, level: :error}
    assert change(log, {"qlog", "e", "s"}, :active, "e", nil) =~ "[error] e: queue state active"
  end

  test "the key is the calling client's (its session, its model); clearing one key forgets its marks only" do
    log = %QueueLog{
      id: "qlog",
      debounce_ms: 60_000,
      level: :warning,
      key_fields: [:sampling_session_id, :model_id]
    }

    endpoint = %{id: "sample", queue_log: log}

    assert QueueObserver.keyed(endpoint, %{model_id: "m-1"}).queue_log.key == "m-1"

    assert QueueObserver.keyed(endpoint, %{sampling_session_id: "s-1", model_id: "m-1"}).queue_log.key ==
             "s-1"

    assert QueueObserver.keyed(endpoint, %{sampling_session_id: nil}).queue_log.key == nil

    s1 = {"qlog", "sample", "s-1"}
    s2 = {"qlog", "sample", "s-2"}
    assert change(log, s1, :paused_capacity, "sample", nil) =~ "queue state paused_capacity"
    assert change(log, s2, :paused_capacity, "sample", nil) =~ "queue state paused_capacity"
    assert change(log, s1, :active, "sample", nil) == ""
    :ok = QueueObserver.clear_debounce("s-1")
    assert change(log, s1, :active, "sample", nil) =~ "queue state active"
    assert change(log, s2, :active, "sample", nil) == ""
  end
end
