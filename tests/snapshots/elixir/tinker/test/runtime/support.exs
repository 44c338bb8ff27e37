defmodule Tinkex.Test.ScriptedHTTP do
  @moduledoc false
  # An HTTP adapter that answers from a script and records the requests: the runtime's tests need
  # no server. An answer is `{status, headers, body}` or `{:error, reason}`.

  @behaviour Tinkex.Runtime.HTTP

  # (Re)starts the script, from a test: the script lives (supervised by the test) until the test
  # ends, so the next test never sees it; a test may run several scripts one after the other.
  def start(answers) do
    state = %{answers: answers, requests: []}

    if Process.whereis(__MODULE__) do
      Agent.update(__MODULE__, fn _ -> state end)
    else
      start = {Agent, :start_link, [fn -> state end, [name: __MODULE__]]}
      ExUnit.Callbacks.start_supervised!(%{id: __MODULE__, start: start})
      :ok
    end
  end

  def requests, do: Agent.get(__MODULE__, &Enum.reverse(&1.requests))

  @impl true
  def request(method, url, headers, body, opts) do
    record = %{method: method, url: url, headers: Map.new(headers), body: body, opts: opts}

    answer =
      Agent.get_and_update(__MODULE__, fn %{answers: answers, requests: requests} = state ->
        case answers do
          [answer | rest] ->
            {answer, %{state | answers: rest, requests: [record | requests]}}

          [] ->
            {{599, [], "the script has no more answers"},
             %{state | requests: [record | requests]}}
        end
      end)

    case answer do
      {:error, reason} -> {:error, reason}
      {status, headers, body} -> {:ok, %{status: status, headers: headers, body: body}}
    end
  end
end

defmodule Tinkex.Test.Fixtures do
  @moduledoc false
  # Hand-made endpoints and configurations for the runtime's tests (independent of the manifest).

  alias Tinkex.Config
  alias Tinkex.Runtime.Context
  alias Tinkex.Runtime.Endpoint
  alias Tinkex.Runtime.JSON
  alias Tinkex.Runtime.RetryPolicy
  alias Tinkex.Test.ScriptedHTTP

  def config(opts \\ []) do
    Config.new(
      Keyword.merge(
        [
          api_key: "sk-test-secret",
          base_url: "http://api.test",
          http_adapter: ScriptedHTTP,
          time_scale: 0,
          # these tests script every answer: no token exchange in between (auth_test covers it)
          token_exchange: false,
          env: %{}
        ],
        opts
      )
    )
  end

  def context(opts \\ []), do: Context.new(config(opts))

  def policy(opts \\ []) do
    struct(
      %RetryPolicy{
        max_retries: 3,
        statuses: [{408, 408}, {429, 429}, {500, 599}],
        on_connection_error: true,
        on_timeout: true,
        base_ms: 500,
        max_ms: 8000,
        jitter: 0.25,
        retry_after_max_ms: 60_000
      },
      opts
    )
  end

  def endpoint(opts \\ []) do
    struct(
      %Endpoint{
        id: "jobs.submit",
        method: :post,
        path: "/jobs",
        retry: policy(),
        idempotency_header: "X-Idempotency-Key"
      },
      opts
    )
  end

  def json(body),
    do: {200, [{"content-type", "application/json"}], JSON.encode!(body)}
end
