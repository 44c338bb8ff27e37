defmodule Tinkex.TrainingClient do
  @moduledoc """
  The `training` client of the tinker API.

  A struct: `new/1` makes one from a configuration.

  Every function answers `{:ok, value}` or `{:error, %Tinker.Error{}}`; one whose result the
  server computes later answers `{:ok, task}` (`Task.await/2` gives the result).
  """

  alias Tinker.Config
  alias Tinker.Error
  alias Tinker.Runtime.Client
  alias Tinker.Types.ForwardBackwardOutput
  alias Tinker.Types.ForwardRequest
  alias Tinker.Types.LoadStateRequest
  alias Tinker.Types.LoadStateResponse

  defstruct [:model_id, :config, :context]

  @typedoc "A client: its state and configuration."
  @type t :: %__MODULE__{model_id: String.t() | nil, config: Config.t(), context: term()}

  @typedoc "A call's value, or the error."
  @type result(value) :: {:ok, value} | {:error, Error.t()}

  @doc """
  A client from options: those of `Tinker.Config` (`:api_key`, `:base_url`, ...) or `:config`, and
  its state: `:model_id`. Raises `ArgumentError` for an invalid configuration.
  """
  @spec new(keyword()) :: t()
  def new(opts \\ []) do
    case Client.new_struct(__MODULE__, opts) do
      {:ok, client} -> client
      {:error, %Error{message: message}} -> raise ArgumentError, message
    end
  end

  @doc "A client with this state (`:model_id`) and configuration."
  @spec new(String.t() | nil, Config.t()) :: t()
  def new(model_id, %Config{} = config) do
    new(model_id: model_id, config: config)
  end

  @doc false
  def __client__, do: %{process: false, state: [:model_id], counters: []}

  @doc """
  A copy of the client whose calls use these request options by default (`:timeout` in
  milliseconds, `:max_retries`, `:headers`, `:query`, `:body`, `:idempotency_key`), over the
  client's own. The copy shares the client's connections, session and telemetry; a call's own
  `:request_options` win over it (headers, query and body merge). An unknown option raises
  `ArgumentError`.
  """
  @spec with_options(t(), keyword()) :: t()
  def with_options(training, request_options), do: Client.with_options(training, request_options)

  @doc """
  Answers `{:ok, task}`: the request is sent now, the task polls its result.

  ## Options

    * `:timeout` - the HTTP timeout of this call's requests, in milliseconds
    * `:request_options` - this call's options: `:timeout` (ms), `:max_retries`, `:headers`, `:query`, `:body`, `:idempotency_key`
  """
  @spec forward(t(), [term()], keyword()) :: {:ok, Task.t()}
  def forward(training, data, opts \\ []) do
    Client.check_options!(opts, [], "forward/3")
    c = Client.handle(training, opts)

    Client.future_task(
      c,
      "training.forward",
      body: %ForwardRequest{model_id: Client.state(c, :model_id), data: data},
      decode: ForwardBackwardOutput
    )
  end

  @doc """
  Answers `{:ok, task}`: the request is sent now, the task polls its result.

  ## Options

    * `:timeout` - the HTTP timeout of this call's requests, in milliseconds
    * `:request_options` - this call's options: `:timeout` (ms), `:max_retries`, `:headers`, `:query`, `:body`, `:idempotency_key`
  """
  @spec load_state(t(), String.t(), keyword()) :: {:ok, Task.t()}
  def load_state(training, path, opts \\ []) do
    Client.check_options!(opts, [], "load_state/3")
    c = Client.handle(training, opts)

    Client.future_task(
      c,
      "training.load_state",
      body: %LoadStateRequest{model_id: Client.state(c, :model_id), path: path},
      decode: LoadStateResponse
    )
  end

  @doc false
  def __methods__ do
    [
      {:forward, "forward", [{:data, "data", {:list, :any}}], [], :task},
      {:load_state, "load_state", [{:path, "path", :string}], [], :task}
    ]
  end
end
