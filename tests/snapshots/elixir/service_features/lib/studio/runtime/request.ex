defmodule Studio.Runtime.Request do
  @moduledoc false
  # One logical request of an endpoint, with the manifest's behaviour (DESIGN §8): the auth header,
  # a user agent, the endpoint's headers and those its features add; retries by its retry_policy
  # (statuses, connection failures and timeouts, exponential backoff with jitter, Retry-After up to
  # its limit) carrying one idempotency key across them; sampling backpressure (wait and resend,
  # never an error); the retry handler (a bounded number in flight, retried until no progress for
  # its progress timeout); redirect_location (the redirect is the answer, not followed).

  require Logger

  alias Studio.Error
  alias Studio.Runtime.Auth
  alias Studio.Runtime.Clock
  alias Studio.Runtime.Context
  alias Studio.Runtime.Endpoint
  alias Studio.Runtime.HTTP
  alias Studio.Runtime.JSON
  alias Studio.Runtime.Limiter
  alias Studio.Runtime.Retry
  alias Studio.Runtime.TelemetryReporter
  alias Studio.Spec
  alias Studio.Telemetry

  # RFC 6570 reserved expansion (`{+name}`): these characters stay as they are.
  @reserved ~c":/?#[]@!$&'()*+,;="
  @max_redirects 5

  @type response :: HTTP.response()

  @doc """
  Sends the request. Options: `:path` and `:query` (maps from parameter names to values; nil query
  values are left out), `:body` (a JSON term), `:headers`.
  """
  @spec send(Context.t(), Endpoint.t(), keyword()) :: {:ok, response()} | {:error, Error.t()}
  def send(%Context{} = ctx, %Endpoint{} = endpoint, opts \\ []) do
    case endpoint.handler do
      nil -> send_now(ctx, endpoint, opts)
      handler -> Limiter.with_slot(ctx, handler, fn -> send_now(ctx, endpoint, opts) end)
    end
  end

  defp send_now(ctx, endpoint, opts) do
    case Auth.value(ctx, endpoint) do
      {:ok, auth} -> send_now(ctx, endpoint, opts, auth)
      {:error, _} = error -> error
    end
  end

  defp send_now(ctx, endpoint, opts, auth) do
    config = ctx.config
    path = build_path(endpoint.path, Keyword.get(opts, :path, %{}))
    url = config.base_url <> path <> query_string(Keyword.get(opts, :query, %{}))
    body = if Keyword.get(opts, :body) == nil, do: nil, else: JSON.encode!(opts[:body])

    attempt = %{
      ctx: ctx,
      endpoint: endpoint,
      url: url,
      body: body,
      headers: headers(ctx, endpoint, body, Keyword.get(opts, :headers, []), auth),
      auth: auth,
      replayed: false,
      retry: 0,
      started: Clock.now(),
      redirects: 0
    }

    started = System.monotonic_time()

    metadata = %{endpoint: endpoint.id, method: endpoint.method, path: endpoint.path}
    Telemetry.emit([:http, :request, :start], %{system_time: System.system_time()}, metadata)
    result = loop(attempt)

    stop =
      case result do
        {:ok, response} -> %{result: :ok, status: response.status}
        {:error, error} -> %{result: :error, status: error.status, error_type: error.type}
      end

    duration = %{duration: System.monotonic_time() - started}
    Telemetry.emit([:http, :request, :stop], duration, Map.merge(metadata, stop))
    # a failed call is a telemetry event of the client's family
    case result do
      {:error, error} -> TelemetryReporter.error(ctx.reporter, endpoint.id, error)
      {:ok, _response} -> :ok
    end

    result
  end

  defp loop(attempt) do
    adapter = attempt.ctx.config.http_adapter || HTTP.default_adapter()
    timeout = attempt.endpoint.timeout_ms || attempt.ctx.config.timeout

    case adapter.request(
           attempt.endpoint.method,
           attempt.url,
           attempt.headers,
           attempt.body,
           timeout: timeout
         ) do
      {:ok, %{status: status} = response} when status in 200..299 ->
        {:ok, response}

      {:ok, %{status: status} = response} when status in 300..399 ->
        on_redirect(attempt, response)

      {:ok, response} ->
        on_status(attempt, response)

      {:error, reason} ->
        on_failure(attempt, reason)
    end
  end

  # redirect_location: the redirect is the answer. Otherwise a GET follows it (as HTTP clients do);
  # any other method gets the status as an error.
  defp on_redirect(%{endpoint: %Endpoint{redirect_location: true}}, response), do: {:ok, response}

  defp on_redirect(%{endpoint: %Endpoint{method: :get}} = attempt, response) do
    case header(response.headers, "location") do
      location when is_binary(location) and attempt.redirects < @max_redirects ->
        target = URI.merge(attempt.url, location) |> URI.to_string()
        loop(%{attempt | url: target, redirects: attempt.redirects + 1})

      _ ->
        on_status(attempt, response)
    end
  end

  defp on_redirect(attempt, response), do: on_status(attempt, response)

  defp on_status(attempt, %{status: status} = response) do
    endpoint = attempt.endpoint
    backpressure = endpoint.backpressure
    policy = endpoint.retry

    cond do
      not attempt.replayed and Auth.rejected_token?(attempt.ctx, endpoint, response) ->
        replay(attempt)

      backpressure != nil and Retry.in_ranges?(backpressure.statuses, status) ->
        # backpressure is not an error: wait (longer for a large request) and send again
        small? = byte_size(attempt.body || "") <= backpressure.small_request_bytes
        delay = if small?, do: backpressure.small_delay_ms, else: backpressure.large_delay_ms
        Clock.sleep(attempt.ctx.config, delay)
        loop(rekeyed(attempt, backpressure.fresh_idempotency_key))

      endpoint.handler != nil and transient?(status) ->
        handler_retry(attempt)

      policy != nil and attempt.retry < policy.max_retries and
          Retry.retries_response?(policy, status, response.headers) ->
        delay = Retry.delay(policy, attempt.retry, Clock.rand(), response.headers)
        log_retry(endpoint, attempt.retry + 1, delay, "status #{status}")
        Clock.sleep(attempt.ctx.config, delay)

        loop(%{attempt | retry: attempt.retry + 1})

      true ->
        {:error, status_error(response)}
    end
  end

  # retries at debug level, as the other SDKs log them
  defp log_retry(endpoint, retry, delay_ms, cause) do
    Logger.debug(fn ->
      seconds = :erlang.float_to_binary(delay_ms / 1000, decimals: 3)
      "#{endpoint.id}: retry #{retry} in #{seconds} s after #{cause}"
    end)
  end

  # one new token and one replay; a second rejection is the caller's error
  defp replay(attempt) do
    :ok = Auth.invalidate(attempt.ctx, attempt.auth)

    case Auth.value(attempt.ctx, attempt.endpoint) do
      {:ok, auth} ->
        headers = dedupe(attempt.headers ++ [{Auth.header(), auth}])
        loop(%{attempt | auth: auth, headers: headers, replayed: true})

      {:error, _} = error ->
        error
    end
  end

  defp on_failure(attempt, reason) do
    policy = attempt.endpoint.retry
    timeout? = reason == :timeout

    allowed? =
      policy != nil and if(timeout?, do: policy.on_timeout, else: policy.on_connection_error)

    cond do
      attempt.endpoint.handler != nil ->
        handler_retry(attempt)

      allowed? and attempt.retry < policy.max_retries ->
        delay =
          Retry.backoff(attempt.retry, policy.base_ms, policy.max_ms, policy.jitter, Clock.rand())

        log_retry(
          attempt.endpoint,
          attempt.retry + 1,
          delay,
          if(timeout?, do: "a timeout", else: "a connection failure")
        )

        Clock.sleep(attempt.ctx.config, delay)
        loop(%{attempt | retry: attempt.retry + 1})

      true ->
        {:error, failure_error(attempt.endpoint, reason)}
    end
  end

  # The retry handler retries transient failures until no progress was made for its progress
  # timeout; the call then fails as stuck.
  defp handler_retry(attempt) do
    handler = attempt.endpoint.handler
    config = attempt.ctx.config

    if Clock.now() - attempt.started >= Clock.scaled(config, handler.progress_timeout_ms) do
      message = "#{attempt.endpoint.id}: stuck, no progress for #{handler.progress_timeout_ms} ms"
      {:error, Error.new(:api_timeout, message)}
    else
      delay =
        Retry.backoff(
          attempt.retry,
          handler.base_ms,
          handler.max_ms,
          handler.jitter,
          Clock.rand()
        )

      Clock.sleep(config, delay)
      loop(%{attempt | retry: attempt.retry + 1})
    end
  end

  defp transient?(status), do: status in [408, 429] or status >= 500

  defp status_error(response) do
    body = parse_body(response.body)
    retry_after = Retry.retry_after_ms(response.headers, nil)
    # the error carries what a raw response would: status, headers, request id
    Error.from_response(response.status, body,
      retry_after_ms: retry_after,
      headers: response.headers,
      request_id: header(response.headers, "x-request-id")
    )
  end

  defp failure_error(endpoint, :timeout),
    do: Error.new(:api_timeout, "#{endpoint.id}: no answer in time")

  defp failure_error(endpoint, {:connection, reason}) do
    Error.new(:api_connection, "#{endpoint.id}: connection failed (#{inspect(reason)})",
      data: %{reason: reason}
    )
  end

  @doc "A response body as JSON when it is JSON, else its text (nil when empty)."
  @spec parse_body(binary()) :: term()
  def parse_body(""), do: nil

  def parse_body(body) do
    case JSON.decode(body) do
      {:ok, term} -> term
      {:error, _} -> body
    end
  end

  @doc "A response header (names compared lower-case)."
  @spec header([{String.t(), String.t()}], String.t()) :: String.t() | nil
  def header(headers, name) do
    Enum.find_value(headers, fn {k, v} -> if String.downcase(k) == name, do: v end)
  end

  defp headers(ctx, endpoint, body, extra, auth_value) do
    service = Spec.service()

    base =
      [
        {"accept", "application/json"},
        {"user-agent", service.user_agent}
      ] ++
        lower(service.headers) ++
        lower(Map.to_list(ctx.config.headers)) ++ lower(endpoint.headers)

    content = if body, do: [{"content-type", "application/json"}], else: []
    # one key for the logical request, reused by every retry
    idempotency =
      if endpoint.idempotency_header,
        do: [
          {String.downcase(endpoint.idempotency_header),
           endpoint.idempotency_prefix <> idempotency_key()}
        ],
        else: []

    backpressure = if endpoint.backpressure, do: lower(endpoint.backpressure.headers), else: []
    auth = [{Auth.header(), auth_value}]
    dedupe(base ++ content ++ idempotency ++ backpressure ++ lower(extra) ++ auth)
  end

  # a backpressure resend that is a new request: a new idempotency key, in the same place
  defp rekeyed(%{endpoint: %Endpoint{idempotency_header: name} = endpoint} = attempt, true)
       when is_binary(name) do
    key = String.downcase(name)
    value = endpoint.idempotency_prefix <> idempotency_key()
    %{attempt | headers: List.keyreplace(attempt.headers, key, 0, {key, value})}
  end

  defp rekeyed(attempt, _fresh?), do: attempt

  # later entries win, as a map would, but the order of first appearance is kept
  defp dedupe(headers) do
    last = Map.new(headers)
    headers |> Enum.map(&elem(&1, 0)) |> Enum.uniq() |> Enum.map(&{&1, Map.fetch!(last, &1)})
  end

  defp lower(headers),
    do: for({k, v} <- headers, do: {String.downcase(to_string(k)), to_string(v)})

  @doc "A random idempotency key (a UUID v4)."
  @spec idempotency_key() :: String.t()
  def idempotency_key do
    <<a::48, _::4, b::12, _::2, c::62>> = :crypto.strong_rand_bytes(16)
    <<u0::32, u1::16, u2::16, u3::16, u4::48>> = <<a::48, 4::4, b::12, 2::2, c::62>>

    [<<u0::32>>, <<u1::16>>, <<u2::16>>, <<u3::16>>, <<u4::48>>]
    |> Enum.map_join("-", &Base.encode16(&1, case: :lower))
  end

  @doc "The path of a template with its parameters: `{name}` percent-encoded, `{+name}` not."
  @spec build_path(String.t(), map()) :: String.t()
  def build_path(template, params) do
    Regex.replace(~r/\{(\+?)([A-Za-z_][A-Za-z0-9_]*)\}/, template, fn _, raw, name ->
      value = text(Map.fetch!(params, name))

      if raw == "+",
        do: URI.encode(value, &(&1 in @reserved or URI.char_unreserved?(&1))),
        else: URI.encode(value, &URI.char_unreserved?/1)
    end)
  end

  @doc "`?a=1&b=2` from the non-nil values (a list repeats its key), or `\"\"`."
  @spec query_string(map() | keyword()) :: String.t()
  def query_string(query) do
    pairs = for {k, v} <- query, v != nil, item <- List.wrap(v), do: {to_string(k), text(item)}

    if pairs == [], do: "", else: "?" <> URI.encode_query(pairs, :rfc3986)
  end

  defp text(value) when is_binary(value), do: value
  defp text(%DateTime{} = value), do: DateTime.to_iso8601(value)
  defp text(%NaiveDateTime{} = value), do: NaiveDateTime.to_iso8601(value)
  defp text(%Date{} = value), do: Date.to_iso8601(value)
  defp text(value) when is_float(value), do: float_text(value)
  defp text(value), do: to_string(value)

  @doc """
  A float as every SDK writes it in a path or a query string: Python's `repr` (the shortest text
  that reads back as the same float, positional from 1.0e-4 up to 1.0e16, else `d.ddde±XX`), so
  `2.0` is `"2.0"` (not `"2"`) and `1.0e3` is `"1000.0"` (not `"1.0e3"`).
  """
  @spec float_text(float()) :: String.t()
  def float_text(value) when is_float(value) do
    {sign, shortest} =
      case :erlang.float_to_binary(value, [:short]) do
        "-" <> rest -> {"-", rest}
        text -> {"", text}
      end

    [mantissa | exponent] = String.split(shortest, "e")
    [whole, fraction] = String.split(mantissa, ".")
    shift = if exponent == [], do: 0, else: String.to_integer(hd(exponent))
    # the value is 0.DIGITS × 10^point: DIGITS without leading or trailing zeros
    all = whole <> fraction
    trimmed = String.trim_leading(all, "0")
    point = String.length(whole) + shift - (String.length(all) - String.length(trimmed))
    digits = String.trim_trailing(trimmed, "0")
    sign <> place(if(digits == "", do: "0", else: digits), if(digits == "", do: 1, else: point))
  end

  defp place(digits, point) when point - 1 < -4 or point - 1 >= 16 do
    [first | rest] = String.graphemes(digits)
    exponent = point - 1
    sign = if exponent < 0, do: "-", else: "+"
    magnitude = exponent |> abs() |> Integer.to_string() |> String.pad_leading(2, "0")
    first <> if(rest == [], do: "", else: "." <> Enum.join(rest)) <> "e" <> sign <> magnitude
  end

  defp place(digits, point) when point <= 0, do: "0." <> String.duplicate("0", -point) <> digits

  defp place(digits, point) do
    padded = String.pad_trailing(digits, point, "0")
    {whole, fraction} = String.split_at(padded, point)
    whole <> "." <> if(fraction == "", do: "0", else: fraction)
  end
end
