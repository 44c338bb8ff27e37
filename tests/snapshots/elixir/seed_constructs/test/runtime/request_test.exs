defmodule Studio.Runtime.RequestTest do
  # One logical request: retries, idempotency, backpressure, the retry handler, redirects, errors.
  use ExUnit.Case, async: false

  alias Studio.Error
  alias Studio.Runtime.Auth
  alias Studio.Runtime.Backpressure
  alias Studio.Runtime.Request
  alias Studio.Runtime.RetryHandler
  alias Studio.Spec
  alias Studio.Test.Fixtures
  alias Studio.Test.ScriptedHTTP

  defp request(endpoint, opts \\ []), do: Request.send(Fixtures.context(), endpoint, opts)

  test "a listed status is retried, and every attempt carries the same idempotency key" do
    ScriptedHTTP.start([{503, [], ""}, {503, [], ""}, Fixtures.json(%{"ok" => true})])
    assert {:ok, %{status: 200}} = request(Fixtures.endpoint(), body: %{"a" => 1})
    requests = ScriptedHTTP.requests()
    assert length(requests) == 3
    keys = Enum.map(requests, & &1.headers["x-idempotency-key"])
    assert [key, key, key] = keys
    assert key =~ ~r/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/
  end

  test "the idempotency key carries the manifest's prefix; a GET carries none" do
    ScriptedHTTP.start([Fixtures.json(%{}), Fixtures.json(%{})])
    assert {:ok, _} = request(Fixtures.endpoint(idempotency_prefix: "sdk-"))
    assert {:ok, _} = request(Fixtures.endpoint(method: :get, idempotency_header: nil))
    [post, get] = ScriptedHTTP.requests()
    assert String.starts_with?(post.headers["x-idempotency-key"], "sdk-")
    refute Map.has_key?(get.headers, "x-idempotency-key")
  end

  test "retries are bounded: 1 + max_retries attempts, then the status error" do
    ScriptedHTTP.start(List.duplicate({500, [], ~s({"detail": "boom"})}, 10))
    assert {:error, %Error{type: :api_status, status: 500} = error} = request(Fixtures.endpoint())
    assert Error.kind(error) == :server
    assert error.message == "HTTP 500: boom"
    assert length(ScriptedHTTP.requests()) == 4
  end

  test "a status outside the retry list is not retried" do
    ScriptedHTTP.start([{404, [], ~s({"detail": "missing"})}, Fixtures.json(%{})])
    assert {:error, %Error{status: 404} = error} = request(Fixtures.endpoint())
    assert Error.kind(error) == :not_found
    assert error.data == %{"detail" => "missing"}
    assert length(ScriptedHTTP.requests()) == 1
  end

  test "connection failures and timeouts are retried by the policy, else reported by kind" do
    ScriptedHTTP.start([{:error, {:connection, :closed}}, {:error, :timeout}, Fixtures.json(%{})])
    assert {:ok, %{status: 200}} = request(Fixtures.endpoint())

    ScriptedHTTP.start(List.duplicate({:error, :timeout}, 4))
    assert {:error, %Error{type: :api_timeout}} = request(Fixtures.endpoint())

    no_retry = Fixtures.endpoint(retry: Fixtures.policy(on_connection_error: false))
    ScriptedHTTP.start([{:error, {:connection, :econnrefused}}])
    assert {:error, %Error{type: :api_connection} = error} = request(no_retry)
    assert Error.kind(error) == :connection
  end

  test "every request carries the auth header, a user agent and JSON headers; errors never the key" do
    ScriptedHTTP.start([{401, [], ~s({"detail": "no"})}])
    assert {:error, error} = request(Fixtures.endpoint(retry: nil), body: %{"x" => 1})
    [request] = ScriptedHTTP.requests()
    service = Spec.service()
    # the credential as the manifest's scheme writes it (`Bearer `, basic's base64, or as it is)
    expected =
      if service.auth,
        do: Auth.credential_value(service.auth, "sk-test-secret"),
        else: "sk-test-secret"

    assert request.headers[Auth.header()] == expected
    assert request.headers["user-agent"] == service.user_agent
    assert request.headers["content-type"] == "application/json"
    assert request.headers["accept"] == "application/json"
    refute inspect(error) =~ "sk-test-secret"
    refute Error.format(error) =~ "sk-test-secret"
  end

  test "backpressure: the configured status is waited out and sent again, never surfaced" do
    backpressure = %Backpressure{
      statuses: [{429, 429}],
      small_delay_ms: 1000,
      large_delay_ms: 5000,
      small_request_bytes: 100,
      headers: [{"X-Backpressure", "1"}]
    }

    ScriptedHTTP.start([{429, [], ""}, {429, [], ""}, Fixtures.json(%{})])
    endpoint = Fixtures.endpoint(retry: nil, backpressure: backpressure)
    assert {:ok, %{status: 200}} = request(endpoint, body: %{})
    requests = ScriptedHTTP.requests()
    assert length(requests) == 3
    assert Enum.all?(requests, &(&1.headers["x-backpressure"] == "1"))
  end

  test "the retry handler retries transient failures until its progress timeout, then fails as stuck" do
    handler = %RetryHandler{
      id: "h",
      max_connections: 2,
      progress_timeout_ms: 200,
      base_ms: 1,
      max_ms: 1,
      jitter: 0.0
    }

    ScriptedHTTP.start(List.duplicate({503, [], ""}, 100_000))
    context = Fixtures.context(time_scale: 1)
    endpoint = Fixtures.endpoint(handler: handler, retry: nil)
    assert {:error, %Error{type: :api_timeout} = error} = Request.send(context, endpoint)
    assert error.message =~ "stuck"
    assert length(ScriptedHTTP.requests()) > 1
  end

  test "redirect_location: the redirect is the answer; a plain GET follows it" do
    location = [{"location", "http://files.test/archive.tgz"}]
    ScriptedHTTP.start([{302, location, ""}])
    endpoint = Fixtures.endpoint(method: :get, redirect_location: true, retry: nil)
    assert {:ok, %{status: 302, headers: ^location}} = request(endpoint)

    ScriptedHTTP.start([{302, location, ""}, Fixtures.json(%{"done" => true})])
    assert {:ok, %{status: 200}} = request(Fixtures.endpoint(method: :get, retry: nil))
    assert [_, %{url: "http://files.test/archive.tgz"}] = ScriptedHTTP.requests()
  end

  test "path parameters are percent-encoded unless raw; nil query values are left out" do
    template = "/runs/{run_id}/checkpoints/{+checkpoint_id}"
    params = %{"run_id" => "a b/c", "checkpoint_id" => "weights/0001"}
    assert Request.build_path(template, params) == "/runs/a%20b%2Fc/checkpoints/weights/0001"
    assert Request.query_string(%{"limit" => 20, "scope" => nil}) == "?limit=20"

    assert Request.query_string(%{"tag" => ["a", "b"], "on" => true}) in [
             "?tag=a&tag=b&on=true",
             "?on=true&tag=a&tag=b"
           ]

    assert Request.query_string(%{}) == ""
  end

  test "floats in paths and query strings are written as Python's repr writes them" do
    assert Request.query_string(%{"q" => 2.0}) == "?q=2.0"
    assert Request.build_path("/x/{v}", %{"v" => 1.0e3}) == "/x/1000.0"

    for {value, text} <- [
          {0.1, "0.1"},
          {-2.5, "-2.5"},
          {-0.0, "-0.0"},
          {1.0e15, "1000000000000000.0"},
          {1.0e16, "1e+16"},
          {1.0e-4, "0.0001"},
          {1.5e-5, "1.5e-05"},
          {1.2345e100, "1.2345e+100"},
          {5.0e-324, "5e-324"}
        ] do
      assert Request.float_text(value) == text
    end
  end
end
