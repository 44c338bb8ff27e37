defmodule Pages.Runtime.AuthTest do
  # The token store's decisions with an injected time (seconds since the epoch): renewal by the
  # refresh window and by the margin, a JWT's claims, invalidation; and the credential's formats.
  use ExUnit.Case, async: false

  alias Pages.Runtime.Auth
  alias Pages.Runtime.AuthSpec
  alias Pages.Test.Fixtures

  defp spec(exchange) do
    %AuthSpec{
      header: "Authorization",
      credential_prefix: "Bearer ",
      token_prefix: "Bearer ",
      exchange:
        Map.merge(
          %{
            endpoint: "auth.token",
            body: %{},
            token_field: "access_token",
            lifetime_claim: nil,
            lifetime_field: "expires_in",
            refresh_window: {0.45, 0.55},
            refresh_before_sec: 60,
            enabled: true,
            enable_env: nil
          },
          exchange
        )
    }
  end

  test "a token is renewed once the drawn fraction of its lifetime has passed" do
    auth = spec(%{})
    key = make_ref()
    body = %{"access_token" => "t1", "expires_in" => 1000}
    assert {:ok, "Bearer t1"} = Auth.store(key, auth, body, 10_000, 0.5)
    assert Auth.current(key, auth, 10_499) == "Bearer t1"
    assert Auth.current(key, auth, 10_500) == nil
  end

  test "a token is renewed when at most the margin remains" do
    auth = spec(%{refresh_window: {0.99, 0.99}})
    key = make_ref()

    assert {:ok, _} =
             Auth.store(key, auth, %{"access_token" => "t", "expires_in" => 1000}, 0, 0.0)

    assert Auth.current(key, auth, 939) == "Bearer t"
    assert Auth.current(key, auth, 940) == nil
  end

  test "a JWT's expiry and issue time come from its claims; a token without them is an error" do
    auth = spec(%{lifetime_claim: "exp", lifetime_field: nil})
    claims = Base.url_encode64(~s({"iat":1000,"exp":2000}), padding: false)
    key = make_ref()
    assert {:ok, _} = Auth.store(key, auth, %{"access_token" => "e30.#{claims}.sig"}, 1200, 0.0)
    assert Auth.current(key, auth, 1449) != nil
    assert Auth.current(key, auth, 1450) == nil
    assert {:error, error} = Auth.store(key, auth, %{"access_token" => "opaque"}, 0, 0.0)
    assert error.message =~ "no `exp` claim"
    refute inspect(error) =~ "opaque"
  end

  test "an answer without the token is a response error" do
    assert {:error, error} = Auth.store(make_ref(), spec(%{}), %{"nope" => 1}, 0, 0.0)
    assert error.data.reason == :response
  end

  test "invalidating a token forgets it, unless a newer one replaced it" do
    context = Fixtures.context()
    key = {context.config.base_url, :crypto.hash(:sha256, context.config.api_key)}
    auth = spec(%{})
    {:ok, value} = Auth.store(key, auth, %{"access_token" => "t1", "expires_in" => 3600}, 0, 0.0)
    :ok = Auth.invalidate(context, "Bearer older")
    assert Auth.current(key, auth, 1) == value
    :ok = Auth.invalidate(context, value)
    assert Auth.current(key, auth, 1) == nil
  end

  test "the credential's formats and the exchange's switch" do
    assert Auth.credential_value(%AuthSpec{header: "A"}, "k") == "k"

    assert Auth.credential_value(%AuthSpec{header: "A", credential_prefix: "Bearer "}, "k") ==
             "Bearer k"

    basic = %AuthSpec{header: "A", credential_prefix: "Basic ", credential_base64: true}
    assert Auth.credential_value(basic, "app:pw") == "Basic " <> Base.encode64("app:pw")
    off = spec(%{enabled: false})
    refute Auth.exchange_on?(off, nil, nil)
    assert Auth.exchange_on?(off, nil, "yes")
    refute Auth.exchange_on?(spec(%{}), false, "1")
    refute Auth.exchange_on?(%AuthSpec{header: "A"}, true, nil)
  end

  test "the credential command comes last and never shows its output" do
    assert Auth.credential_from_command("CMD", nil) == {:ok, nil}
    assert Auth.credential_from_command("CMD", "echo '  sk-cmd  '") == {:ok, "sk-cmd"}
    assert {:error, message} = Auth.credential_from_command("CMD", "echo sk-printed; exit 3")
    assert message =~ "exit status 3"
    refute message =~ "sk-printed"
  end
end
