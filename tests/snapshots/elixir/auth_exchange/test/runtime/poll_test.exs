defmodule Vault.Runtime.PollTest do
  # Server-side futures: pending answers (try-again or a pending status) tell the observer about
  # queue-state changes; errors carry their category; transient failures are retried.
  use ExUnit.Case, async: false

  alias Vault.Error
  alias Vault.Runtime.Endpoint
  alias Vault.Runtime.Futures
  alias Vault.Runtime.Poll
  alias Vault.Test.Fixtures
  alias Vault.Test.ScriptedHTTP

  @futures %Futures{
    id: "futures",
    retrieve: %Endpoint{id: "futures.retrieve", method: :post, path: "/futures/retrieve"},
    request_id_field: "request_id",
    try_again_field: "type",
    try_again_value: "try_again",
    error_field: "error",
    category_field: "category",
    categories: ["unknown", "server", "user"],
    queue_state_field: "queue_state",
    queue_state_reason_field: "queue_state_reason",
    queue_states: ["active", "paused_capacity"],
    pending_statuses: [{408, 408}],
    transient_base_ms: 500,
    transient_max_ms: 10_000,
    transient_jitter: 0.25
  }

  test "classify: try-again is pending, an error field fails with its category, else the result" do
    assert {:pending, :active, "busy"} =
             Poll.classify(@futures, %{
               "type" => "try_again",
               "queue_state" => "active",
               "queue_state_reason" => "busy"
             })

    assert {:pending, :unknown, nil} =
             Poll.classify(@futures, %{"type" => "try_again", "queue_state" => "from_the_future"})

    assert {:failed, %Error{type: :request_failed, category: :user} = error} =
             Poll.classify(@futures, %{"error" => "bad input", "category" => "user"})

    assert Error.kind(error) == :request_failed

    assert {:failed, %Error{category: :unknown}} =
             Poll.classify(@futures, %{"error" => "exploded", "category" => "cosmic"})

    assert {:done, %{"model_id" => "m"}} = Poll.classify(@futures, %{"model_id" => "m"})
  end

  test "polls until the result; the observer hears each change of the queue state once" do
    pending = fn state -> Fixtures.json(%{"type" => "try_again", "queue_state" => state}) end

    ScriptedHTTP.start([
      pending.("active"),
      pending.("active"),
      {408, [], ~s({"queue_state": "paused_capacity"})},
      {503, [], ""},
      Fixtures.json(%{"value" => 1})
    ])

    test = self()
    observer = fn state, metadata -> send(test, {:queue, state, metadata.queue_state_reason}) end
    context = Fixtures.context(queue_state_observer: observer)
    endpoint = Fixtures.endpoint(futures: @futures)

    assert {:ok, %{"value" => 1}} = Poll.poll(context, @futures, "req-1", :any, endpoint)

    assert_received {:queue, :active, nil}
    assert_received {:queue, :paused_capacity, nil}
    refute_received {:queue, _, _}
    bodies = Enum.map(ScriptedHTTP.requests(), & &1.body)
    assert Enum.all?(bodies, &(&1 == ~s({"request_id":"req-1"})))
  end

  test "a future still pending after its timeout fails as a timeout" do
    ScriptedHTTP.start(List.duplicate(Fixtures.json(%{"type" => "try_again"}), 100_000))
    futures = %{@futures | timeout_ms: 20}
    context = Fixtures.context(time_scale: 1)

    assert {:error, %Error{type: :api_timeout}} = Poll.poll(context, futures, "req-1", :any)
  end

  test "a result that does not have the declared shape is a response validation error" do
    ScriptedHTTP.start([Fixtures.json(%{"value" => "not a number"})])

    assert {:error, error} = Poll.poll(Fixtures.context(), @futures, "req-1", {:map, :integer})
    assert Error.kind(error) == :response_validation
  end
end
