defmodule Studio.Runtime.HTTP do
  @moduledoc false
  # The HTTP adapter behaviour (DESIGN §7): OTP's :httpc by default, Finch when the application has
  # it. A test or an application may pass its own module as `Config.http_adapter`.

  @finch_pool Studio.Finch

  @type response :: %{status: pos_integer(), headers: [{String.t(), String.t()}], body: binary()}

  @doc """
  Sends one request and answers its response as it is (redirects are not followed: the caller
  decides). `headers` have lower-case names. Option: `:timeout` (ms). A transport failure is
  `{:error, :timeout}` or `{:error, {:connection, reason}}`.
  """
  @callback request(
              method :: atom(),
              url :: String.t(),
              headers :: [{String.t(), String.t()}],
              body :: binary() | nil,
              opts :: keyword()
            ) :: {:ok, response()} | {:error, :timeout | {:connection, term()}}

  @doc false
  @spec default_adapter() :: module()
  def default_adapter do
    if finch?() and Process.whereis(@finch_pool) != nil,
      do: __MODULE__.Finch,
      else: __MODULE__.Httpc
  end

  # Whether Finch is there does not change while the VM runs: it is asked of the code server once.
  # Asked on every request, the code server was a queue every request waited in, and without Finch
  # it searched the whole code path each time (milliseconds a request, bimodal with the load).
  defp finch? do
    case :persistent_term.get({__MODULE__, :finch?}, nil) do
      nil ->
        loaded = Code.ensure_loaded?(Finch)
        :persistent_term.put({__MODULE__, :finch?}, loaded)
        loaded

      loaded ->
        loaded
    end
  end
end

defmodule Studio.Runtime.HTTP.Httpc do
  @moduledoc false
  # OTP's :httpc in a profile of this SDK's own: many connections per host and no request queued
  # behind another on a kept-alive connection, so concurrent calls are really concurrent.

  @behaviour Studio.Runtime.HTTP

  @profile :studio_httpc

  @doc false
  @spec start_profile() :: :ok
  def start_profile do
    _ = Application.ensure_all_started(:inets)
    _ = Application.ensure_all_started(:ssl)

    case :inets.start(:httpc, profile: @profile) do
      {:ok, _pid} -> :ok
      {:error, {:already_started, _pid}} -> :ok
    end

    :httpc.set_options([max_sessions: 10_000, max_keep_alive_length: 0], @profile)
  end

  @impl true
  def request(method, url, headers, body, opts) do
    start_profile_once()
    timeout = Keyword.get(opts, :timeout, 60_000)
    http_opts = [timeout: timeout, autoredirect: false]
    charlist_headers = for {k, v} <- headers, k != "content-type", do: {~c"#{k}", ~c"#{v}"}
    request = build(method, String.to_charlist(url), charlist_headers, headers, body)

    case :httpc.request(method, request, http_opts, [body_format: :binary], @profile) do
      {:ok, {{_version, status, _reason}, resp_headers, resp_body}} ->
        {:ok, %{status: status, headers: normalize(resp_headers), body: resp_body}}

      {:error, reason} when reason in [:timeout, :connect_timeout] ->
        {:error, :timeout}

      {:error, {:failed_connect, [_, {_, _, :timeout} | _]}} ->
        {:error, :timeout}

      {:error, reason} ->
        {:error, {:connection, reason}}
    end
  end

  # :httpc takes a POST, PUT or PATCH only with a body: one without a request body (an endpoint that
  # declares none) goes out empty, with no content type, as the other SDKs send it
  defp build(method, url, charlist_headers, _headers, nil) when method in [:post, :put, :patch],
    do: {url, charlist_headers, ~c"", ""}

  defp build(_method, url, charlist_headers, _headers, nil), do: {url, charlist_headers}

  defp build(_method, url, charlist_headers, headers, body) do
    content_type =
      Enum.find_value(headers, "application/json", fn {k, v} -> if k == "content-type", do: v end)

    {url, charlist_headers, String.to_charlist(content_type), body}
  end

  defp normalize(headers) do
    for {k, v} <- headers, do: {String.downcase(List.to_string(k)), List.to_string(v)}
  end

  defp start_profile_once do
    if :persistent_term.get({__MODULE__, :started}, false) == false do
      :ok = start_profile()
      :persistent_term.put({__MODULE__, :started}, true)
    end
  end
end

defmodule Studio.Runtime.HTTP.Finch do
  @moduledoc false
  # Finch, when the application depends on it: the SDK's application then starts a Finch pool
  # named after the SDK.

  @behaviour Studio.Runtime.HTTP

  @compile {:no_warn_undefined, [Finch]}

  @pool Studio.Finch

  @impl true
  def request(method, url, headers, body, opts) do
    request = Finch.build(method, url, headers, body)

    case Finch.request(request, @pool, receive_timeout: Keyword.get(opts, :timeout)) do
      {:ok, %{status: status, headers: resp_headers, body: resp_body}} ->
        {:ok, %{status: status, headers: normalize(resp_headers), body: resp_body}}

      {:error, %{reason: :timeout}} ->
        {:error, :timeout}

      {:error, reason} ->
        {:error, {:connection, reason}}
    end
  end

  defp normalize(headers), do: for({k, v} <- headers, do: {String.downcase(k), v})
end
