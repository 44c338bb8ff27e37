defmodule Pages.Runtime.Auth do
  @moduledoc false
  # Authentication (DESIGN: auth): how the credential becomes the auth header, and the token
  # exchange, as the SDK plan decided them (`Spec.service().auth`). Exchanged tokens live in an ETS
  # table keyed by (base URL, credential digest): clients of one configuration share a token, as
  # they share a session-less holder in the reference SDK. One exchange at a time per key (a
  # `:global` lock); the others find its token. Tokens are renewed before a request once a
  # fraction of their lifetime drawn in the refresh window has passed (drawn once per token), or
  # when at most `refresh_before_sec` remain.

  alias Pages.Config
  alias Pages.Error
  alias Pages.Runtime.AuthSpec
  alias Pages.Runtime.Context
  alias Pages.Runtime.Endpoint
  alias Pages.Runtime.JSON
  alias Pages.Runtime.Request
  alias Pages.Spec

  @tokens :pages_auth_tokens

  @doc "The auth header's name (lower case)."
  @spec header() :: String.t()
  def header do
    service = Spec.service()
    String.downcase(if service.auth, do: service.auth.header, else: service.auth_header)
  end

  @doc """
  The auth header's value for a request of `endpoint`: the credential, or (when the exchange is on)
  a current token, exchanged for first when there is none or it is due. The exchange itself sends
  the credential.
  """
  @spec value(Context.t(), Endpoint.t()) :: {:ok, String.t()} | {:error, Error.t()}
  def value(%Context{config: config} = ctx, %Endpoint{} = endpoint) do
    case Spec.service().auth do
      nil ->
        {:ok, config.api_key}

      auth ->
        if exchanged?(config, auth, endpoint),
          do: token(ctx, auth),
          else: {:ok, credential_value(auth, config.api_key)}
    end
  end

  # Whether a request carries an exchanged token: the exchange is on, and the request is neither
  # the exchange itself nor a server-config fetch (a family fetches its configuration before it
  # exchanges, as 0.38).
  defp exchanged?(config, %AuthSpec{exchange: x}, endpoint) do
    x != nil and config.token_exchange? and endpoint.id != x.endpoint and
      not List.keymember?(Spec.service().server_config, endpoint.id, 0)
  end

  @doc "Whether a response is a 401 that says the token is no good and the request may be replayed."
  @spec rejected_token?(Context.t(), Endpoint.t(), map()) :: boolean()
  def rejected_token?(%Context{config: config}, %Endpoint{} = endpoint, response) do
    auth = Spec.service().auth

    auth != nil and exchanged?(config, auth, endpoint) and response.status == 401 and
      String.contains?(
        Request.header(response.headers, "www-authenticate") || "",
        "invalid_token"
      )
  end

  @doc "The server rejected `value`: forget it (a request holding an older one changes nothing)."
  @spec invalidate(Context.t(), String.t()) :: :ok
  def invalidate(%Context{config: config}, value) do
    :ets.match_delete(@tokens, {key(config), value, :_, :_})
    :ok
  end

  @doc "The header's value for the credential itself (basic: `user:password`, base64)."
  @spec credential_value(AuthSpec.t(), String.t()) :: String.t()
  def credential_value(%AuthSpec{} = auth, credential) do
    text = if auth.credential_base64, do: Base.encode64(credential), else: credential
    auth.credential_prefix <> text
  end

  @doc """
  The credential the command in the variable `name` prints (trimmed), `{:ok, nil}` when the
  variable is unset. Its output is never shown: a failing command names only its exit status.
  """
  @spec credential_from_command(String.t() | nil, String.t() | nil) ::
          {:ok, String.t() | nil} | {:error, String.t()}
  def credential_from_command(_name, nil), do: {:ok, nil}
  def credential_from_command(_name, ""), do: {:ok, nil}

  def credential_from_command(name, command) do
    case System.cmd("sh", ["-c", command], stderr_to_stdout: false) do
      {output, 0} ->
        case String.trim(output) do
          "" -> {:error, "the credential command in #{name} printed nothing"}
          value -> {:ok, value}
        end

      {_output, status} ->
        {:error, "the credential command in #{name} failed with exit status #{status}"}
    end
  rescue
    error in ErlangError ->
      {:error, "the credential command in #{name} could not run (#{inspect(error.original)})"}
  end

  @doc "Whether the exchange is on: the option, else the environment variable, else the default."
  @spec exchange_on?(AuthSpec.t() | nil, boolean() | nil, String.t() | nil) :: boolean()
  def exchange_on?(nil, _option, _env_value), do: false
  def exchange_on?(%AuthSpec{exchange: nil}, _option, _env_value), do: false
  def exchange_on?(_auth, option, _env_value) when is_boolean(option), do: option

  def exchange_on?(%AuthSpec{exchange: x}, nil, env_value) do
    case env_value do
      nil -> x.enabled
      value -> String.downcase(String.trim(value)) in ["1", "true", "yes", "on"]
    end
  end

  @doc """
  Keeps a token the exchange answered (a decoded JSON body) under `key`, with when it must be
  renewed; `now` is the time since the epoch in seconds and `rand` a uniform number in [0, 1).
  Returns the header value.
  """
  @spec store(term(), AuthSpec.t(), term(), number(), float()) ::
          {:ok, String.t()} | {:error, Error.t()}
  def store(key, %AuthSpec{exchange: x} = auth, body, now, rand) do
    with {:ok, token} <- token_of(body, x.token_field),
         {:ok, issued, expires} <- lifetime(x, body, token, now) do
      {low, high} = x.refresh_window
      renew_at = issued + (expires - issued) * (low + (high - low) * rand)
      value = auth.token_prefix <> token
      :ets.insert(@tokens, {key, value, renew_at, expires})
      {:ok, value}
    end
  end

  @doc "The token stored under `key` when it is not due at `now` (seconds since the epoch), else nil."
  @spec current(term(), AuthSpec.t(), number()) :: String.t() | nil
  def current(key, %AuthSpec{exchange: x}, now) do
    case :ets.lookup(@tokens, key) do
      [{^key, value, renew_at, expires}]
      when now < renew_at and expires - now > x.refresh_before_sec ->
        value

      _ ->
        nil
    end
  end

  defp token(ctx, auth) do
    key = key(ctx.config)

    case current(key, auth, now()) do
      nil ->
        :global.trans({{__MODULE__, key}, self()}, fn ->
          case current(key, auth, now()) do
            nil -> exchange(ctx, auth, key)
            value -> {:ok, value}
          end
        end)

      value ->
        {:ok, value}
    end
  end

  defp exchange(ctx, auth, key) do
    x = auth.exchange

    case Request.send(ctx, Spec.endpoint(x.endpoint), body: x.body) do
      {:ok, response} ->
        store(key, auth, Request.parse_body(response.body), now(), :rand.uniform())

      {:error, _} = error ->
        error
    end
  end

  defp token_of(body, field) do
    case body do
      %{^field => token} when is_binary(token) and token != "" -> {:ok, token}
      _ -> {:error, response_error("the token exchange answered no `#{field}`")}
    end
  end

  defp lifetime(%{lifetime_field: field}, body, _token, now) when is_binary(field) do
    case body do
      %{^field => seconds} when is_number(seconds) ->
        {:ok, now, now + seconds}

      _ ->
        {:error, response_error("the token exchange answered no `#{field}`")}
    end
  end

  defp lifetime(%{lifetime_claim: claim}, _body, token, now) do
    claim = claim || "exp"
    claims = jwt_claims(token)

    case claims do
      %{^claim => expires} when is_number(expires) ->
        issued =
          case claims do
            %{"iat" => iat} when is_number(iat) and iat <= now -> iat
            _ -> now
          end

        {:ok, issued, expires}

      _ ->
        {:error, response_error("the exchanged token has no `#{claim}` claim")}
    end
  end

  @doc "A JWT's payload, decoded without verifying it (the server verifies), or nil."
  @spec jwt_claims(String.t()) :: map() | nil
  def jwt_claims(token) do
    with [_, payload, _] <- String.split(token, "."),
         {:ok, json} <- Base.url_decode64(payload, padding: false),
         {:ok, %{} = claims} <- JSON.decode(json) do
      claims
    else
      _ -> nil
    end
  end

  # the token is not shown: the error carries no body
  defp response_error(message),
    do: Error.new(:validation, message, data: %{reason: :response, body: nil})

  defp key(%Config{} = config), do: {config.base_url, :crypto.hash(:sha256, config.api_key)}

  defp now, do: System.os_time(:millisecond) / 1000
end
