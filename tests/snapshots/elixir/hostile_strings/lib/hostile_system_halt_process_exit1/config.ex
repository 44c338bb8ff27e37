defmodule HostileSystemHaltProcessExit1.Config do
  @moduledoc """
  Client configuration.

  Every setting comes from, in order: the option given to `new/1` (or to a client's
  `start_link/1`), the environment variable the manifest names, the manifest's default. A missing
  API key is an error before any request is sent. The API key is never shown: `inspect/1` redacts
  it, and no error or telemetry event carries it.

  Options:

    * `:api_key`, `:base_url` - see above;
    * `:timeout` - the HTTP timeout of one request, in milliseconds (the manifest's by default);
    * `:headers` - extra headers sent with every request (a map or keyword list);
    * `:request_options` - the defaults of every call's `:request_options` (`:timeout`,
      `:max_retries`, `:headers`, `:query`, `:body`, `:idempotency_key`); a call's own win;
    * `:queue_state_observer` - told about the queue state of pending futures: a module
      implementing `HostileSystemHaltProcessExit1.QueueStateObserver` or a function of `(queue_state, metadata)`;
    * `:telemetry_enabled?` - send telemetry events to the service (default: the manifest's
      environment toggle, else true);
    * `:http_adapter` - a module implementing `HostileSystemHaltProcessExit1.Runtime.HTTP` (default: Finch when the
      application has it and its pool runs, else OTP's `:httpc`);
    * `:environment` - a named environment of the API (its base URL), when no `:base_url` is
      given; else the environment variable the API names for it chooses one (an unknown name is a
      configuration error). Precedence: `:base_url`, `:environment`, the base URL variable, the
      environment variable, the manifest's default;
    * `:token_exchange` - exchange the API key for short-lived tokens, where the API declares an
      exchange (default: the environment variable the API names, else the API's default);
    * `:time_scale` - multiplies every wait the SDK makes by the manifest's numbers (backoff,
      heartbeat, poll timeouts); tests make time run faster with it (default `1.0`);
    * `:env` - where environment variables are read: `:system` (default) or a map;
    * the options the manifest declares (`service.config`, see `declared/0`): each from the
      option, else its environment variable, else its default, else absent (`nil`); kept in
      `options` and read with `option/2`. An option with `profiles:` (Tinkex's `:parity_mode`)
      names a profile of defaults (a string or an atom): its `timeout` unless `:timeout` is
      given, and its `max_retries` for the endpoints of the policy the profiles name (a call's
      `:max_retries` wins); a name that is no profile is an error. `profile` and `max_retries`
      say what was chosen; `default_timeout/0`, `default_max_retries/0` and each profile's
      `<profile>_timeout/0`, `<profile>_max_retries/0` give the manifest's numbers.

  Any other option is an error (`ArgumentError` from `new/1`), never silently ignored.
  """

  alias HostileSystemHaltProcessExit1.Error
  alias HostileSystemHaltProcessExit1.Runtime.Auth
  alias HostileSystemHaltProcessExit1.Runtime.JSON
  alias HostileSystemHaltProcessExit1.Spec

  @enforce_keys [:api_key, :base_url]
  defstruct [
    :api_key,
    :base_url,
    :timeout,
    :http_adapter,
    :queue_state_observer,
    headers: %{},
    request_options: [],
    telemetry_enabled?: true,
    token_exchange?: false,
    time_scale: 1.0,
    options: %{},
    profile: nil,
    max_retries: nil
  ]

  @type observer :: module() | (atom() | String.t(), map() -> any()) | nil

  @type t :: %__MODULE__{
          api_key: String.t(),
          base_url: String.t(),
          timeout: pos_integer() | nil,
          http_adapter: module() | nil,
          queue_state_observer: observer(),
          headers: %{optional(String.t()) => String.t()},
          request_options: keyword(),
          telemetry_enabled?: boolean(),
          token_exchange?: boolean(),
          time_scale: number(),
          options: %{optional(atom()) => term()},
          profile: String.t() | nil,
          max_retries: non_neg_integer() | nil
        }

  @options [
    :api_key,
    :base_url,
    :timeout,
    :headers,
    :request_options,
    :queue_state_observer,
    :telemetry_enabled?,
    :http_adapter,
    :time_scale,
    :token_exchange,
    :environment,
    :env,
    :config
  ]

  @doc "The configuration from options and the environment; raises `ArgumentError` when invalid."
  @spec new(keyword()) :: t()
  def new(opts \\ []) do
    case build(opts) do
      {:ok, config} -> config
      {:error, %Error{message: message}} -> raise ArgumentError, message
    end
  end

  @doc """
  Like `new/1`, as `{:ok, config}` or `{:error, %Error{}}` (a `:validation` error whose `data`
  is `%{reason: :configuration}`). A `:config` option is taken as it is.
  """
  @spec build(keyword()) :: {:ok, t()} | {:error, Error.t()}
  def build(opts) when is_list(opts) do
    with :ok <- known_options(opts) do
      case Keyword.get(opts, :config) do
        %__MODULE__{} = config -> {:ok, config}
        nil -> resolve(opts)
      end
    end
  end

  @doc "The HTTP timeout of one request when none is given: the manifest's, in milliseconds."
  @spec default_timeout() :: pos_integer()
  def default_timeout, do: Spec.service().timeout_ms

  # A config option's `profiles:`, read when this module compiles: a function per number the
  # manifest gives (Tinkex's `default_max_retries/0`, `python_timeout/0`, `python_max_retries/0`).
  {profiles, base_retries} =
    case Spec.service().profiles do
      {_option, profiles, base} -> {profiles, List.wrap(base)}
      nil -> {[], []}
    end

  for n <- base_retries do
    @doc "The retry count of the retry policy the profiles name, as the manifest gives it."
    @spec default_max_retries() :: non_neg_integer()
    def default_max_retries, do: unquote(n)
  end

  for {name, timeout, _retries} <- profiles, timeout != nil do
    @doc "The HTTP timeout (ms) the `#{name}` profile gives."
    @spec unquote(:"#{name}_timeout")() :: pos_integer()
    def unquote(:"#{name}_timeout")(), do: unquote(timeout)
  end

  for {name, _timeout, retries} <- profiles, retries != nil do
    @doc "The retry count the `#{name}` profile gives."
    @spec unquote(:"#{name}_max_retries")() :: non_neg_integer()
    def unquote(:"#{name}_max_retries")(), do: unquote(retries)
  end

  @doc """
  `:ok` when every option is one `new/1` understands or one of `extra` (a client's state fields),
  else a `:validation` error naming the unknown ones: an option is never silently ignored.
  """
  @spec known_options(keyword(), [atom()]) :: :ok | {:error, Error.t()}
  def known_options(opts, extra \\ []) when is_list(opts) do
    allowed = options() ++ extra

    case Enum.reject(Keyword.keys(opts), &(&1 in allowed)) do
      [] ->
        :ok

      unknown ->
        message =
          "unknown option #{Enum.map_join(unknown, ", ", &inspect/1)} " <>
            "(known: #{Enum.map_join(allowed, ", ", &inspect/1)})"

        {:error, configuration_error(message)}
    end
  end

  @doc "The options `new/1` understands (a client's own options are the others)."
  @spec options() :: [atom()]
  def options, do: @options ++ declared()

  @doc "The configuration options the manifest declares (`service.config`)."
  @spec declared() :: [atom()]
  def declared, do: Enum.map(Spec.service().config_options, &elem(&1, 0))

  @doc "The value of a declared option (`nil` when absent); raises for an undeclared one."
  @spec option(t(), atom()) :: term()
  def option(%__MODULE__{options: options}, name) do
    case Map.fetch(options, name) do
      {:ok, value} -> value
      :error -> raise ArgumentError, "unknown configuration option #{inspect(name)}"
    end
  end

  defp resolve(opts) do
    service = Spec.service()
    env = Keyword.get(opts, :env, :system)

    case api_key(opts, env, service) do
      {:error, message} -> {:error, configuration_error(message)}
      key -> resolve(opts, env, service, key)
    end
  end

  defp resolve(opts, env, service, key) do
    case base_url(opts, env, service) do
      {:error, message} -> {:error, configuration_error(message)}
      url -> resolve(opts, env, service, key, url)
    end
  end

  defp resolve(opts, env, service, key, url) do
    cond do
      key == nil ->
        {:error, configuration_error("no API key", "api_key", service.api_key_env)}

      url == nil ->
        {:error, configuration_error("no base URL", "base_url", service.base_url_env)}

      true ->
        config = %__MODULE__{
          api_key: key,
          base_url: String.trim_trailing(url, "/"),
          timeout: Keyword.get(opts, :timeout, service.timeout_ms),
          headers: Map.new(Keyword.get(opts, :headers, %{}), fn {k, v} -> {to_string(k), v} end),
          request_options: Keyword.get(opts, :request_options, []),
          queue_state_observer: Keyword.get(opts, :queue_state_observer),
          telemetry_enabled?: telemetry_enabled?(opts, env, service),
          token_exchange?: token_exchange?(opts, env, service),
          http_adapter: Keyword.get(opts, :http_adapter),
          time_scale: Keyword.get(opts, :time_scale, 1.0)
        }

        with {:ok, options} <- declared_options(opts, env, service),
             {:ok, config} <- profile(%{config | options: options}, opts, service.profiles) do
          validate(config)
        end
    end
  end

  @doc "Checks a configuration; raises `ArgumentError` when it is invalid."
  @spec validate!(t()) :: t()
  def validate!(%__MODULE__{} = config) do
    case validate(config) do
      {:ok, config} -> config
      {:error, %Error{message: message}} -> raise ArgumentError, message
    end
  end

  defp validate(%__MODULE__{} = config) do
    cond do
      not is_binary(config.api_key) or config.api_key == "" ->
        {:error, configuration_error("the API key must be a non-empty string")}

      not is_binary(config.base_url) or URI.parse(config.base_url).host in [nil, ""] ->
        {:error, configuration_error("the base URL must be an absolute URL")}

      not (is_integer(config.timeout) and config.timeout > 0) ->
        {:error, configuration_error("the timeout must be a positive number of milliseconds")}

      not (is_number(config.time_scale) and config.time_scale >= 0) ->
        {:error, configuration_error("the time scale must be a non-negative number")}

      true ->
        {:ok, config}
    end
  end

  # :base_url > :environment > base URL variable > environment variable > default
  defp base_url(opts, env, service) do
    with nil <- present(opts[:base_url]),
         nil <- environment_url(service, present(opts[:environment]), "the :environment option"),
         nil <- getenv(env, service.base_url_env),
         nil <-
           environment_url(
             service,
             getenv(env, service.environment_env),
             service.environment_env
           ) do
      service.default_base_url || first_environment(service.environments)
    end
  end

  defp first_environment([{_name, url} | _]), do: url
  defp first_environment(_none), do: nil

  defp environment_url(_service, nil, _source), do: nil

  defp environment_url(service, name, source) do
    case List.keyfind(service.environments || [], name, 0) do
      {^name, url} ->
        url

      nil ->
        known = Enum.map_join(service.environments || [], ", ", &elem(&1, 0))
        known = if known == "", do: "none", else: known
        {:error, "unknown environment #{inspect(name)} (from #{source}); known: #{known}"}
    end
  end

  # argument > environment > credential command
  defp api_key(opts, env, service) do
    command_env = service.auth && service.auth.command_env

    with nil <- present(opts[:api_key]) || getenv(env, service.api_key_env),
         {:ok, key} <- Auth.credential_from_command(command_env, getenv(env, command_env)) do
      key
    end
  end

  defp token_exchange?(opts, env, service) do
    exchange = service.auth && service.auth.exchange
    enable_env = exchange && exchange.enable_env
    Auth.exchange_on?(service.auth, Keyword.get(opts, :token_exchange), getenv(env, enable_env))
  end

  # Each declared option: given, else its environment variable (read as its kind says), else its
  # default, else nil. A variable whose text is not of the option's kind is a configuration error.
  defp declared_options(opts, env, service) do
    Enum.reduce_while(service.config_options, {:ok, %{}}, fn option, {:ok, acc} ->
      case declared_option(opts, env, option) do
        {:ok, name, value} -> {:cont, {:ok, Map.put(acc, name, value)}}
        {:error, _} = error -> {:halt, error}
      end
    end)
  end

  defp declared_option(opts, env, {name, var, kind, default}) do
    case Keyword.fetch(opts, name) do
      {:ok, value} ->
        {:ok, name, value}

      :error ->
        message = "#{var} is not a valid #{kind} for :#{name}"

        case env_value(getenv(env, var), kind) do
          {:ok, nil} -> {:ok, name, default_value(default)}
          {:ok, value} -> {:ok, name, value}
          :error -> {:error, configuration_error(message)}
        end
    end
  end

  # the profile the option names: its timeout (unless one is given) and retry count
  defp profile(config, _opts, nil), do: {:ok, config}

  defp profile(config, opts, {option, profiles, _base}) do
    case Map.fetch!(config.options, option) do
      nil ->
        {:ok, config}

      value ->
        name = if is_atom(value), do: Atom.to_string(value), else: value

        case List.keyfind(profiles, name, 0) do
          {^name, timeout, retries} ->
            timeout =
              if Keyword.has_key?(opts, :timeout),
                do: config.timeout,
                else: timeout || config.timeout

            {:ok, %{config | profile: name, timeout: timeout, max_retries: retries}}

          nil ->
            known = Enum.map_join(profiles, ", ", &elem(&1, 0))
            {:error, configuration_error("unknown #{option} #{inspect(value)} (known: #{known})")}
        end
    end
  end

  defp default_value({:default, value}), do: value
  defp default_value(:none), do: nil

  defp env_value(nil, _kind), do: {:ok, nil}
  defp env_value(text, :string), do: {:ok, text}

  defp env_value(text, :int) do
    case Integer.parse(String.trim(text)) do
      {n, ""} -> {:ok, n}
      _ -> :error
    end
  end

  defp env_value(text, :float) do
    case Float.parse(String.trim(text)) do
      {x, ""} -> {:ok, x}
      _ -> :error
    end
  end

  defp env_value(text, :bool) do
    case String.downcase(String.trim(text)) do
      t when t in ["1", "true", "yes", "on"] -> {:ok, true}
      f when f in ["0", "false", "no", "off"] -> {:ok, false}
      _ -> :error
    end
  end

  defp env_value(text, :list),
    do: {:ok, text |> String.split(",") |> Enum.map(&String.trim/1) |> Enum.reject(&(&1 == ""))}

  defp env_value(text, :json) do
    case JSON.decode(text) do
      {:ok, value} -> {:ok, value}
      _ -> :error
    end
  end

  defp env_value(_text, nil), do: :error

  defp telemetry_enabled?(opts, env, service) do
    case Keyword.fetch(opts, :telemetry_enabled?) do
      {:ok, value} ->
        value == true

      :error ->
        toggle = service.telemetry && service.telemetry.enabled_env
        value = getenv(env, toggle)
        value == nil or String.downcase(value) not in ["0", "false", "no", "off"]
    end
  end

  defp configuration_error(what, option, env_var) do
    hint = if env_var, do: " or set the #{env_var} environment variable", else: ""
    command_env = Spec.service().auth && Spec.service().auth.command_env

    hint =
      if option == "api_key" and command_env,
        do: hint <> " (or #{command_env} to a command printing it)",
        else: hint

    configuration_error("#{what}: pass #{option}: ...#{hint}")
  end

  defp configuration_error(message),
    do: Error.new(:validation, message, data: %{reason: :configuration})

  defp getenv(_env, nil), do: nil
  defp getenv(:system, name), do: present(System.get_env(name))
  defp getenv(env, name) when is_map(env), do: present(Map.get(env, name))

  defp present(value) when is_binary(value),
    do: if(String.trim(value) == "", do: nil, else: value)

  defp present(_value), do: nil

  defimpl Inspect do
    def inspect(config, _opts) do
      "#HostileSystemHaltProcessExit1.Config<base_url: #{Kernel.inspect(config.base_url)}, api_key: <redacted>>"
    end
  end
end
