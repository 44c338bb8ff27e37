defmodule Tinkex.ServiceClient do
  @moduledoc """
  The `service` client of the tinker API.

  A struct: `new/1` makes one from a configuration.

  Every function answers `{:ok, value}` or `{:error, %Tinker.Error{}}`; one whose result the
  server computes later answers `{:ok, task}` (`Task.await/2` gives the result).
  """

  alias Tinker.API.Service
  alias Tinker.Config
  alias Tinker.Error
  alias Tinker.Runtime.Client
  alias Tinker.Types.CreateModelRequest
  alias Tinker.Types.CreateModelResponse
  alias Tinker.Types.GetServerCapabilitiesResponse
  alias Tinker.Types.WeightsInfoRequest
  alias Tinker.Types.WeightsInfoResponse
  alias Tinkex.TrainingClient

  defstruct [:config, :context]

  @typedoc "A client: its state and configuration."
  @type t :: %__MODULE__{config: Config.t(), context: term()}

  @typedoc "A call's value, or the error."
  @type result(value) :: {:ok, value} | {:error, Error.t()}

  @doc """
  A client from options: those of `Tinker.Config` (`:api_key`, `:base_url`, ...) or `:config`.
  Raises `ArgumentError` for an invalid configuration.
  """
  @spec new(keyword()) :: t()
  def new(opts \\ []) do
    case Client.new_struct(__MODULE__, opts) do
      {:ok, client} -> client
      {:error, %Error{message: message}} -> raise ArgumentError, message
    end
  end

  @doc false
  def __client__, do: %{process: false, state: [], counters: []}

  @doc """
  A copy of the client whose calls use these request options by default (`:timeout` in
  milliseconds, `:max_retries`, `:headers`, `:query`, `:body`, `:idempotency_key`), over the
  client's own. The copy shares the client's connections, session and telemetry; a call's own
  `:request_options` win over it (headers, query and body merge). An unknown option raises
  `ArgumentError`.
  """
  @spec with_options(t(), keyword()) :: t()
  def with_options(service, request_options), do: Client.with_options(service, request_options)

  @doc """
  `GET /api/v1/get_server_capabilities`

  ## Options

    * `:timeout` - the HTTP timeout of this call's requests, in milliseconds
    * `:request_options` - this call's options: `:timeout` (ms), `:max_retries`, `:headers`, `:query`, `:body`, `:idempotency_key`
  """
  @spec get_server_capabilities(t(), keyword()) :: result(GetServerCapabilitiesResponse.t())
  def get_server_capabilities(service, opts \\ []) do
    Client.check_options!(opts, [], "get_server_capabilities/2")
    c = Client.handle(service, opts)
    Service.get_server_capabilities(client: c)
  end

  @doc "Like `get_server_capabilities/2`, in a `Task` (`Task.await/2` gives its result)."
  @spec get_server_capabilities_async(t(), keyword()) :: Task.t()
  def get_server_capabilities_async(service, opts \\ []) do
    Task.async(fn -> get_server_capabilities(service, opts) end)
  end

  @doc """
  Create training client with LoRA config

  ## Options

    * `:base_model`
    * `:rank`
    * `:timeout` - the HTTP timeout of this call's requests, in milliseconds
    * `:request_options` - this call's options: `:timeout` (ms), `:max_retries`, `:headers`, `:query`, `:body`, `:idempotency_key`
  """
  @spec create_lora_training_client(t(), keyword()) :: result(TrainingClient.t())
  def create_lora_training_client(service, opts \\ []) do
    Client.check_options!(opts, [:base_model, :rank], "create_lora_training_client/2")
    base_model = Keyword.get(opts, :base_model)
    rank = Keyword.get(opts, :rank)
    c = Client.handle(service, opts)

    with {:ok, step2} <-
           Client.call_future(
             c,
             "models.create",
             body: %CreateModelRequest{base_model: base_model, rank: rank},
             decode: CreateModelResponse
           ),
         {:ok, step3} <- Client.build(c, TrainingClient, %{model_id: step2.model_id}) do
      {:ok, step3}
    end
  end

  @doc "Like `create_lora_training_client/2`, in a `Task` (`Task.await/2` gives its result)."
  @spec create_lora_training_client_async(t(), keyword()) :: Task.t()
  def create_lora_training_client_async(service, opts \\ []) do
    Task.async(fn -> create_lora_training_client(service, opts) end)
  end

  @doc """
  Create training client from existing checkpoint

  Answers `{:ok, task}`: the request is sent now, the task polls its result.

  ## Options

    * `:timeout` - the HTTP timeout of this call's requests, in milliseconds
    * `:request_options` - this call's options: `:timeout` (ms), `:max_retries`, `:headers`, `:query`, `:body`, `:idempotency_key`
  """
  @spec create_training_client_from_state(t(), String.t(), keyword()) :: {:ok, Task.t()}
  def create_training_client_from_state(service, path, opts \\ []) do
    Client.check_options!(opts, [], "create_training_client_from_state/3")
    c = Client.handle(service, opts)

    with {:ok, step1} <-
           Client.call(
             c,
             "rest.get_weights_info_by_tinker_path",
             body: %WeightsInfoRequest{path: path},
             decode: WeightsInfoResponse
           ),
         {:ok, step2} <-
           create_lora_training_client(
             service,
             base_model: step1.base_model,
             rank: step1.lora_rank,
             request_options: Client.passed_options(opts)
           ),
         {:ok, step3} <-
           TrainingClient.load_state(step2, path, request_options: Client.passed_options(opts)) do
      {:ok, step3}
    end
  end

  @doc false
  def __methods__ do
    [
      {:get_server_capabilities, "get_server_capabilities", [], [], :sync},
      {
        :create_lora_training_client,
        "create_lora_training_client",
        [],
        [
          {:base_model, "base_model", {:nullable, :string}},
          {:rank, "rank", {:nullable, :integer}}
        ],
        :sync
      },
      {
        :create_training_client_from_state,
        "create_training_client_from_state",
        [{:path, "path", :string}],
        [],
        :task
      }
    ]
  end
end
