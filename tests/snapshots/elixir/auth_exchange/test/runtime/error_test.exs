defmodule Vault.ErrorTest do
  # One error taxonomy: kinds, names, categories.
  use ExUnit.Case, async: true

  alias Vault.Error

  test "each status has its kind and name" do
    expected = [
      {400, :bad_request, "BadRequestError"},
      {401, :authentication, "AuthenticationError"},
      {403, :permission_denied, "PermissionDeniedError"},
      {404, :not_found, "NotFoundError"},
      {409, :conflict, "ConflictError"},
      {422, :unprocessable, "UnprocessableEntityError"},
      {429, :rate_limit, "RateLimitError"},
      {503, :server, "InternalServerError"},
      {418, :status, "APIStatusError"}
    ]

    for {status, kind, name} <- expected do
      error = Error.from_response(status, %{"detail" => "d"})
      assert {Error.kind(error), Error.name(error)} == {kind, name}
    end
  end

  test "the category comes from the body, else from the status" do
    assert Error.from_response(400, nil).category == :user
    assert Error.from_response(502, nil).category == :server
    assert Error.from_response(429, nil).category == :server
    assert Error.from_response(500, %{"category" => "user"}).category == :user
    assert Error.user_error?(Error.from_response(404, nil))
    refute Error.user_error?(Error.from_response(429, nil))
    assert Error.retryable?(Error.new(:api_connection, "down"))
  end

  test "format/1 and to_string" do
    error = Error.from_response(404, %{"detail" => "no such run"})
    assert Error.format(error) == "[api_status (404)] HTTP 404: no such run"
    assert to_string(error) == Error.format(error)
    assert Error.format(Error.new(:api_timeout, "slow")) == "[api_timeout] slow"
  end
end
