defmodule Tinker.ConfigTest do
  # Configuration precedence (option > the manifest's environment variable > the manifest's
  # default) and the API key's redaction. A manifest may name no variable for the key or the URL,
  # or give no default URL: those checks then do not apply.
  use ExUnit.Case, async: true

  alias Tinker.Config
  alias Tinker.Error
  alias Tinker.Runtime.Client
  alias Tinker.Spec

  @url "http://x.test"

  setup do
    service = Spec.service()

    {:ok,
     key_env: service.api_key_env,
     url_env: service.base_url_env,
     default_url: service.default_base_url}
  end

  test "an explicit option beats the environment, which beats the manifest's default", names do
    env =
      for {name, value} <- [{names.key_env, "sk-env"}, {names.url_env, "http://env.test"}],
          name != nil,
          into: %{},
          do: {name, value}

    given =
      if(names.key_env, do: [], else: [api_key: "k"]) ++
        if names.url_env, do: [], else: [base_url: @url]

    config = Config.new([env: env] ++ given)
    if names.key_env, do: assert(config.api_key == "sk-env")
    if names.url_env, do: assert(config.base_url == "http://env.test")
    explicit = Config.new(env: env, api_key: "sk-opt", base_url: "http://opt.test/")
    assert {explicit.api_key, explicit.base_url} == {"sk-opt", "http://opt.test"}

    if names.default_url do
      default = Config.new(env: %{}, api_key: "k")
      assert default.base_url == String.trim_trailing(names.default_url, "/")
    end
  end

  test "a missing API key is a configuration error", names do
    assert {:error, %Error{} = error} = Config.build(env: %{}, base_url: @url)
    assert Error.kind(error) == :configuration
    if names.key_env, do: assert(error.message =~ names.key_env)
    assert_raise ArgumentError, fn -> Config.new(env: %{}, api_key: "  ", base_url: @url) end
  end

  test "the API key never shows in inspect" do
    config = Config.new(api_key: "sk-very-secret", base_url: @url, env: %{})
    refute inspect(config) =~ "sk-very-secret"
    assert inspect(config) =~ "<redacted>"
  end

  test "the timeout is the manifest's unless given; an invalid one is an error" do
    given = [api_key: "k", base_url: @url, env: %{}]
    assert Config.new(given).timeout == default_profile_timeout()
    assert Config.new([timeout: 1234] ++ given).timeout == 1234
    assert {:error, %Error{}} = Config.build([timeout: -1] ++ given)
  end

  test "an option Config does not know is an error, never ignored" do
    assert {:error, %Error{} = error} = Config.build(api_key: "k", base_url: @url, bogus_opt: 1)
    assert Error.kind(error) == :configuration
    assert error.message =~ ":bogus_opt"

    assert_raise ArgumentError, ~r/unknown option :bogus_opt/, fn ->
      Config.new(api_key: "k", base_url: @url, bogus_opt: 1)
    end
  end

  test "a function given an option it does not declare raises before doing anything" do
    assert :ok == Client.check_options!([a: 1, timeout: 5], [:a], "f/2")

    assert_raise ArgumentError, ~r"f/2: unknown option :b", fn ->
      Client.check_options!([a: 1, b: 2], [:a], "f/2")
    end
  end

  # A text for each kind of environment variable, and the value it reads as.
  @texts %{
    string: {"v", "v"},
    int: {" 42 ", 42},
    float: {"1.5", 1.5},
    bool: {"Yes", true},
    list: {"a, b,", ["a", "b"]},
    json: {~s({"a": 1}), %{"a" => 1}}
  }

  test "a declared option: given, else its environment variable, else its default" do
    for {name, var, kind, default} <- Spec.service().config_options do
      base = [api_key: "k", base_url: @url]
      given = Config.new([{name, sample(name)}, env: %{}] ++ base)
      assert Config.option(given, name) == sample(name)
      absent = Config.new([env: %{}] ++ base)
      expected = with {:default, value} <- default, do: value, else: (:none -> nil)
      assert Config.option(absent, name) == expected

      if var != nil and kind != nil do
        {text, value} =
          if sample(name) == "given",
            do: Map.fetch!(@texts, kind),
            else: {sample(name), sample(name)}

        assert Config.option(Config.new([env: %{var => text}] ++ base), name) == value

        if kind != :string and kind != :list do
          assert {:error, %Error{} = error} = Config.build([env: %{var => "}not"}] ++ base)
          assert Error.kind(error) == :configuration and error.message =~ var
        end
      end
    end
  end

  test "a profile of defaults: its timeout unless one is given, its retry count; others are errors" do
    case Spec.service().profiles do
      nil ->
        :ok

      {option, profiles, base_retries} ->
        base = [api_key: "k", base_url: @url, env: %{}]
        Code.ensure_loaded!(Config)

        for {name, timeout, retries} <- profiles do
          config = Config.new([{option, name}] ++ base)
          assert {config.profile, config.max_retries} == {name, retries}
          assert config.timeout == (timeout || Spec.service().timeout_ms)
          # an atom names the profile too (Tinkex's `parity_mode: :beam`); a given timeout wins
          assert Config.new([{option, String.to_atom(name)}] ++ base).profile == name
          assert Config.new([{option, name}, timeout: 7] ++ base).timeout == 7
          # a constant per number the profile gives
          assert function_exported?(Config, :"#{name}_timeout", 0) == (timeout != nil)
          assert function_exported?(Config, :"#{name}_max_retries", 0) == (retries != nil)
          if timeout, do: assert(apply(Config, :"#{name}_timeout", []) == timeout)
          if retries, do: assert(apply(Config, :"#{name}_max_retries", []) == retries)
        end

        if base_retries, do: assert(Config.default_max_retries() == base_retries)
        assert {:error, %Error{} = error} = Config.build([{option, "no such profile"}] ++ base)
        assert Error.kind(error) == :configuration and error.message =~ to_string(option)
    end
  end

  # the option choosing a profile takes a profile's name; any other option any value
  defp sample(name) do
    case Spec.service().profiles do
      {^name, [{profile, _, _} | _], _} -> profile
      _ -> "given"
    end
  end

  # the timeout when none is given: the default profile's, else the manifest's
  defp default_timeout_of(nil), do: Spec.service().timeout_ms

  defp default_timeout_of({option, profiles, _}) do
    chosen =
      Enum.find_value(Spec.service().config_options, fn
        {^option, _var, _kind, {:default, name}} -> name
        _ -> nil
      end)

    case List.keyfind(profiles, chosen, 0) do
      {_, timeout, _} when timeout != nil -> timeout
      _ -> Spec.service().timeout_ms
    end
  end

  defp default_profile_timeout, do: default_timeout_of(Spec.service().profiles)
end
