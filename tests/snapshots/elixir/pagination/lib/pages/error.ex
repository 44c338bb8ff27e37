defmodule Pages.Error do
  @moduledoc """
  The one error every call of this SDK returns as `{:error, %Error{}}`.

  `type` says what went wrong:

    * `:api_status` - the server answered an error status (`status`, the decoded body in `data`,
      and, as a raw response carries them on success, the response's `headers` and `request_id`);
    * `:api_connection` - no answer: the connection failed or was dropped;
    * `:api_timeout` - no answer in time, a future not resolved before its deadline, or a retry
      handler stuck past its progress timeout;
    * `:request_failed` - a server-side future resolved to an error (`category`);
    * `:validation` - the configuration is invalid (no API key...), an argument is, or the server's
      answer is not of the declared type, or pages do not follow each other (a cursor repeats)
      (`data.reason` tells which: `:pagination` for the last).

  `kind/1` maps an error to the taxonomy every tinkc SDK shares (`:not_found`, `:rate_limit`,
  `:server`, `:response_validation`, ...). The API key never appears in an error.
  """

  defexception [
    :message,
    :type,
    :status,
    :category,
    :data,
    :retry_after_ms,
    :request_id,
    headers: []
  ]

  @type error_type :: :api_connection | :api_timeout | :api_status | :request_failed | :validation
  @type category :: :unknown | :server | :user | atom()

  @type t :: %__MODULE__{
          message: String.t(),
          type: error_type(),
          status: pos_integer() | nil,
          category: category() | nil,
          data: term(),
          retry_after_ms: non_neg_integer() | nil,
          request_id: String.t() | nil,
          headers: [{String.t(), String.t()}]
        }

  @type kind ::
          :configuration
          | :bad_request
          | :authentication
          | :permission_denied
          | :not_found
          | :conflict
          | :unprocessable
          | :rate_limit
          | :server
          | :status
          | :timeout
          | :connection
          | :request_failed
          | :response_validation
          | :pagination
          | :invalid_argument

  @status_kinds %{
    400 => :bad_request,
    401 => :authentication,
    403 => :permission_denied,
    404 => :not_found,
    409 => :conflict,
    422 => :unprocessable,
    429 => :rate_limit
  }

  @doc """
  An error of `type`; options: `:status`, `:category`, `:data`, `:retry_after_ms`, `:request_id`,
  `:headers`.
  """
  @spec new(error_type(), String.t(), keyword()) :: t()
  def new(type, message, opts \\ []) do
    %__MODULE__{
      type: type,
      message: message,
      status: Keyword.get(opts, :status),
      category: Keyword.get(opts, :category),
      data: Keyword.get(opts, :data),
      retry_after_ms: Keyword.get(opts, :retry_after_ms),
      request_id: Keyword.get(opts, :request_id),
      headers: Keyword.get(opts, :headers, [])
    }
  end

  @doc """
  The error of an error status and its decoded body: the message from the body's `detail`,
  `message` or `error`; the category from its `category`, else `:user` for 4xx and `:server` for
  5xx and 429. Options: `:retry_after_ms`, and the response's `:headers` and `:request_id`.
  """
  @spec from_response(pos_integer(), term(), keyword()) :: t()
  def from_response(status, body, opts \\ []) do
    detail =
      if is_map(body) do
        Enum.find_value(["detail", "message", "error"], fn key ->
          if is_binary(body[key]), do: body[key]
        end)
      end

    message = if detail, do: "HTTP #{status}: #{detail}", else: "HTTP #{status}"

    new(:api_status, message,
      status: status,
      category: category_of(status, body),
      data: body,
      retry_after_ms: Keyword.get(opts, :retry_after_ms),
      request_id: Keyword.get(opts, :request_id),
      headers: Keyword.get(opts, :headers, [])
    )
  end

  defp category_of(_status, %{"category" => category}) when category in ["user", "server"],
    do: String.to_existing_atom(category)

  defp category_of(status, _body) when status == 429 or status >= 500, do: :server
  defp category_of(_status, _body), do: :user

  @doc "True when retrying cannot help: category `:user`, or a 4xx other than 408, 410 and 429."
  @spec user_error?(t()) :: boolean()
  def user_error?(%__MODULE__{type: :api_status, status: status}),
    do: status in 400..499 and status not in [408, 410, 429]

  def user_error?(%__MODULE__{type: :validation}), do: true
  def user_error?(%__MODULE__{category: category}), do: category == :user

  @doc "The opposite of `user_error?/1`."
  @spec retryable?(t()) :: boolean()
  def retryable?(%__MODULE__{} = error), do: not user_error?(error)

  @doc "The error's kind in the taxonomy every tinkc SDK shares."
  @spec kind(t()) :: kind()
  def kind(%__MODULE__{type: :api_status, status: status}) do
    Map.get(@status_kinds, status) || if(status >= 500, do: :server, else: :status)
  end

  def kind(%__MODULE__{type: :api_connection}), do: :connection
  def kind(%__MODULE__{type: :api_timeout}), do: :timeout
  def kind(%__MODULE__{type: :request_failed}), do: :request_failed
  def kind(%__MODULE__{type: :validation, data: %{reason: :configuration}}), do: :configuration
  def kind(%__MODULE__{type: :validation, data: %{reason: :argument}}), do: :invalid_argument
  def kind(%__MODULE__{type: :validation, data: %{reason: :pagination}}), do: :pagination
  def kind(%__MODULE__{type: :validation}), do: :response_validation

  @names %{
    configuration: "ConfigurationError",
    bad_request: "BadRequestError",
    authentication: "AuthenticationError",
    permission_denied: "PermissionDeniedError",
    not_found: "NotFoundError",
    conflict: "ConflictError",
    unprocessable: "UnprocessableEntityError",
    rate_limit: "RateLimitError",
    server: "InternalServerError",
    status: "APIStatusError",
    timeout: "APITimeoutError",
    connection: "APIConnectionError",
    request_failed: "RequestFailedError",
    response_validation: "ResponseValidationError",
    pagination: "PaginationError",
    invalid_argument: "InvalidArgumentError"
  }

  @doc """
  The name of the error's kind as every tinkc SDK names it (`NotFoundError`, `RateLimitError`,
  ...): what telemetry events report as the error type.
  """
  @spec name(t()) :: String.t()
  def name(%__MODULE__{} = error), do: Map.fetch!(@names, kind(error))

  @doc "`[type (status)] message`."
  @spec format(t()) :: String.t()
  def format(%__MODULE__{type: type, status: nil, message: message}), do: "[#{type}] #{message}"

  def format(%__MODULE__{type: type, status: status, message: message}),
    do: "[#{type} (#{status})] #{message}"

  @impl true
  def message(%__MODULE__{} = error), do: format(error)

  defimpl String.Chars do
    def to_string(error), do: @for.format(error)
  end
end
