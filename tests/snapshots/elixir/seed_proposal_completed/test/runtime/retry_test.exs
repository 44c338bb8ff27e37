defmodule Tinker.Runtime.RetryTest do
  # The retry decisions, as pure functions of the policy.
  use ExUnit.Case, async: true

  alias Tinker.Runtime.Retry
  alias Tinker.Test.Fixtures

  test "exponential backoff, capped, minus up to the jitter" do
    assert Retry.backoff(0, 500, 8000, 0.25, 0.0) == 500
    assert Retry.backoff(3, 500, 8000, 0.25, 0.0) == 4000
    assert Retry.backoff(10, 500, 8000, 0.25, 0.0) == 8000
    assert Retry.backoff(1, 500, 8000, 0.25, 1.0) == 750
  end

  test "Retry-After (milliseconds, seconds or an HTTP date) is honoured within its limit" do
    assert Retry.retry_after_ms([{"retry-after-ms", "250"}], 60_000) == 250
    assert Retry.retry_after_ms([{"Retry-After", "2"}], 60_000) == 2000
    assert Retry.retry_after_ms([{"retry-after", "120"}], 60_000) == nil
    assert Retry.retry_after_ms([{"retry-after", "-1"}], 60_000) == nil
    assert Retry.retry_after_ms([{"retry-after", "soon"}], 60_000) == nil
    date = "Wed, 21 Oct 2015 07:28:30 GMT"
    now = 1_445_412_480
    assert Retry.retry_after_ms([{"retry-after", date}], 60_000, now) == 30_000
    assert Retry.delay(Fixtures.policy(), 0, 0.0, [{"retry-after", "3"}]) == 3000
    assert Retry.delay(Fixtures.policy(), 0, 0.0, []) == 500
  end

  test "only the listed statuses are retried" do
    policy = Fixtures.policy()
    assert Retry.retries_status?(policy, 503)
    assert Retry.retries_status?(policy, 429)
    refute Retry.retries_status?(policy, 404)
    refute Retry.retries_status?(nil, 503)
  end
end
