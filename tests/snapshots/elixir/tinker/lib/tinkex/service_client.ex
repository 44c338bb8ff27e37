defmodule Tinkex.ServiceClient do
  @moduledoc """
  Entry point of the SDK. Owns the session and creates training, sampling and REST clients.

  A process: `start_link/1` starts one from a configuration; clients made by its functions share
  its configuration and session, and stop with it.

  Every function answers `{:ok, value}` or `{:error, %Tinkex.Error{}}`; one whose result the
  server computes later answers `{:ok, task}` (`Task.await/2` gives the result).
  """

  use GenServer

  alias Tinkex.API.Service
  alias Tinkex.Error
  alias Tinkex.RestClient
  alias Tinkex.Runtime.Client
  alias Tinkex.Runtime.ClientServer
  alias Tinkex.SamplingClient
  alias Tinkex.TrainingClient
  alias Tinkex.Types.AdamOptimizerConfig
  alias Tinkex.Types.ClientConfigRequest
  alias Tinkex.Types.ClientConfigResponse
  alias Tinkex.Types.ClientDynamicConfigResponse
  alias Tinkex.Types.ClientSessionFinishReason
  alias Tinkex.Types.CreateCustomLossRequest
  alias Tinkex.Types.CreateCustomLossResponse
  alias Tinkex.Types.CreateModelRequest
  alias Tinkex.Types.CreateModelResponse
  alias Tinkex.Types.CreateSamplingSessionRequest
  alias Tinkex.Types.CreateSamplingSessionResponse
  alias Tinkex.Types.CustomLossGraph
  alias Tinkex.Types.CustomLossInput
  alias Tinkex.Types.FinishSessionBody
  alias Tinkex.Types.GetInfoRequest
  alias Tinkex.Types.GetInfoResponse
  alias Tinkex.Types.GetServerCapabilitiesResponse
  alias Tinkex.Types.HealthResponse
  alias Tinkex.Types.JoinSamplingSessionRequest
  alias Tinkex.Types.JoinSamplingSessionResponse
  alias Tinkex.Types.LoraConfig
  alias Tinkex.Types.OptimizerConfig
  alias Tinkex.Types.WeightsInfoBody
  alias Tinkex.Types.WeightsInfoResponse

  @typedoc "A client process: its pid or registered name, or a `with_options/2` copy of one."
  @type t :: GenServer.server() | Client.t()

  @typedoc "A call's value, or the error."
  @type result(value) :: {:ok, value} | {:error, Error.t()}

  @doc """
  Starts the client. Options: those of `Tinkex.Config` (`:api_key`, `:base_url`, ...) or
  `:config`, and `:name`; its state: `:session_id`. A configuration error (no API key...) is
  `{:error, %Tinkex.Error{}}`.
  """
  @spec start_link(keyword()) :: GenServer.on_start() | {:error, Error.t()}
  def start_link(opts \\ []), do: ClientServer.start_link(__MODULE__, opts)

  @doc false
  def __client__ do
    %{
      process: true,
      state: [:session_id, :model_seq_id, :sampling_session_seq_id, :custom_loss_seq_id],
      counters: [:model_seq_id, :sampling_session_seq_id, :custom_loss_seq_id]
    }
  end

  @impl true
  def init(arg), do: ClientServer.init(__MODULE__, arg)

  @impl true
  def handle_call(request, from, state), do: ClientServer.handle_call(request, from, state)

  @impl true
  def handle_info(message, state), do: ClientServer.handle_info(message, state)

  @impl true
  def terminate(reason, state), do: ClientServer.terminate(reason, state)

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
  Models the caller may use and server capabilities.

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
  Readiness probe.

  `GET /api/v1/healthz`

  ## Options

    * `:timeout` - the HTTP timeout of this call's requests, in milliseconds
    * `:request_options` - this call's options: `:timeout` (ms), `:max_retries`, `:headers`, `:query`, `:body`, `:idempotency_key`
  """
  @spec health_check(t(), keyword()) :: result(HealthResponse.t())
  def health_check(service, opts \\ []) do
    Client.check_options!(opts, [], "health_check/2")
    c = Client.handle(service, opts)
    Service.health_check(client: c)
  end

  @doc "Like `health_check/2`, in a `Task` (`Task.await/2` gives its result)."
  @spec health_check_async(t(), keyword()) :: Task.t()
  def health_check_async(service, opts \\ []) do
    Task.async(fn -> health_check(service, opts) end)
  end

  @doc """
  Fetch server-side feature flags for this SDK version (the first request of every client).

  `POST /api/v1/client/config`

  ## Options

    * `:timeout` - the HTTP timeout of this call's requests, in milliseconds
    * `:request_options` - this call's options: `:timeout` (ms), `:max_retries`, `:headers`, `:query`, `:body`, `:idempotency_key`
  """
  @spec client_config(t(), String.t(), keyword()) :: result(ClientConfigResponse.t())
  def client_config(service, sdk_version, opts \\ []) do
    Client.check_options!(opts, [], "client_config/3")
    c = Client.handle(service, opts)
    Service.client_config(%ClientConfigRequest{sdk_version: sdk_version}, client: c)
  end

  @doc "Like `client_config/3`, in a `Task` (`Task.await/2` gives its result)."
  @spec client_config_async(t(), String.t(), keyword()) :: Task.t()
  def client_config_async(service, sdk_version, opts \\ []) do
    Task.async(fn -> client_config(service, sdk_version, opts) end)
  end

  @doc """
  Fetch the periodically refreshed server flags (cancel support, refresh interval).

  `POST /api/v1/client/dynamic_config`

  ## Options

    * `:timeout` - the HTTP timeout of this call's requests, in milliseconds
    * `:request_options` - this call's options: `:timeout` (ms), `:max_retries`, `:headers`, `:query`, `:body`, `:idempotency_key`
  """
  @spec client_dynamic_config(t(), String.t(), keyword()) ::
          result(ClientDynamicConfigResponse.t())
  def client_dynamic_config(service, sdk_version, opts \\ []) do
    Client.check_options!(opts, [], "client_dynamic_config/3")
    c = Client.handle(service, opts)
    Service.client_dynamic_config(%ClientConfigRequest{sdk_version: sdk_version}, client: c)
  end

  @doc "Like `client_dynamic_config/3`, in a `Task` (`Task.await/2` gives its result)."
  @spec client_dynamic_config_async(t(), String.t(), keyword()) :: Task.t()
  def client_dynamic_config_async(service, sdk_version, opts \\ []) do
    Task.async(fn -> client_dynamic_config(service, sdk_version, opts) end)
  end

  @doc """
  Allocate a clone id for a SamplingClient rebuilt from a pickle or sampler handle.

  `POST /api/v1/join_sampling_session`

  ## Options

    * `:timeout` - the HTTP timeout of this call's requests, in milliseconds
    * `:request_options` - this call's options: `:timeout` (ms), `:max_retries`, `:headers`, `:query`, `:body`, `:idempotency_key`
  """
  @spec join_sampling_session(t(), String.t(), keyword()) ::
          result(JoinSamplingSessionResponse.t())
  def join_sampling_session(service, sampling_session_id, opts \\ []) do
    Client.check_options!(opts, [], "join_sampling_session/3")
    c = Client.handle(service, opts)

    Service.join_sampling_session(
      %JoinSamplingSessionRequest{sampling_session_id: sampling_session_id},
      client: c
    )
  end

  @doc "Like `join_sampling_session/3`, in a `Task` (`Task.await/2` gives its result)."
  @spec join_sampling_session_async(t(), String.t(), keyword()) :: Task.t()
  def join_sampling_session_async(service, sampling_session_id, opts \\ []) do
    Task.async(fn -> join_sampling_session(service, sampling_session_id, opts) end)
  end

  @doc """
  Create a LoRA training model and wrap it in a TrainingClient.

  ## Options

    * `:lora_config` - LoRA configuration (rank 32 by default, 0.38's) (default: `{"rank": 32}`)
    * `:rank` - Overrides `lora_config.rank`: LoRA rank (dimension of low-rank matrices)
    * `:seed` - Overrides `lora_config.seed`: Seed used for initialization of LoRA weights.
    * `:train_unembed` - Overrides `lora_config.train_unembed`: Whether to add lora to the unembedding layer
    * `:train_mlp` - Overrides `lora_config.train_mlp`: Whether to add loras to the MLP layers (including MoE layers)
    * `:train_attn` - Overrides `lora_config.train_attn`: Whether to add loras to the attention layers
    * `:user_metadata` - Metadata about this model/training run, set by the end-user
    * `:optimizer` - The optimizer family, fixed for the model lifetime (adamw by default) (default: `{"type": "adamw"}`)
    * `:timeout` - the HTTP timeout of this call's requests, in milliseconds
    * `:request_options` - this call's options: `:timeout` (ms), `:max_retries`, `:headers`, `:query`, `:body`, `:idempotency_key`
  """
  @spec create_lora_training_client(t(), String.t(), keyword()) :: result(TrainingClient.t())
  def create_lora_training_client(service, base_model, opts \\ []) do
    Client.check_options!(
      opts,
      [
        :lora_config,
        :rank,
        :seed,
        :train_unembed,
        :train_mlp,
        :train_attn,
        :user_metadata,
        :optimizer
      ],
      "create_lora_training_client/3"
    )

    lora_config = Keyword.get(opts, :lora_config, %LoraConfig{rank: 32})
    user_metadata = Keyword.get(opts, :user_metadata)
    optimizer = Keyword.get(opts, :optimizer, %AdamOptimizerConfig{type: "adamw"})

    lora_config =
      Client.overlay(
        lora_config,
        Keyword.take(opts, [:rank, :seed, :train_unembed, :train_mlp, :train_attn])
      )

    c = Client.handle(service, opts)

    with {:ok, session_id} <- Client.session_id(c, :session_id),
         {:ok, step2} <-
           Client.call_future(
             c,
             "models.create",
             body: %CreateModelRequest{
               session_id: session_id,
               model_seq_id: Client.next(c, :model_seq_id),
               base_model: base_model,
               user_metadata: user_metadata,
               lora_config: lora_config,
               optimizer_config: optimizer
             },
             decode: CreateModelResponse
           ),
         {:ok, step_info} <-
           Client.call(
             c,
             "models.get_info",
             body: %GetInfoRequest{model_id: step2.model_id},
             decode: GetInfoResponse
           ),
         {:ok, step4} <-
           Client.build(
             c,
             TrainingClient,
             %{session_id: session_id, model_id: step_info.model_id, info: step_info}
           ) do
      {:ok, step4}
    end
  end

  @doc "Like `create_lora_training_client/3`, in a `Task` (`Task.await/2` gives its result)."
  @spec create_lora_training_client_async(t(), String.t(), keyword()) :: Task.t()
  def create_lora_training_client_async(service, base_model, opts \\ []) do
    Task.async(fn -> create_lora_training_client(service, base_model, opts) end)
  end

  @doc """
  Create a TrainingClient from a saved checkpoint (weights only).

  ## Options

    * `:timeout` - the HTTP timeout of this call's requests, in milliseconds
    * `:request_options` - this call's options: `:timeout` (ms), `:max_retries`, `:headers`, `:query`, `:body`, `:idempotency_key`
  """
  @spec create_training_client_from_state(t(), String.t(), keyword()) ::
          result(TrainingClient.t())
  def create_training_client_from_state(service, path, opts \\ []) do
    Client.check_options!(opts, [], "create_training_client_from_state/3")
    c = Client.handle(service, opts)

    with {:ok, step1} <-
           Client.call(
             c,
             "weights.info",
             body: %WeightsInfoBody{tinker_path: path},
             decode: WeightsInfoResponse
           ),
         {:ok, rank} <- Client.present(step1.lora_rank, "${result.lora_rank}"),
         {:ok, step_client} <-
           create_lora_training_client(
             service,
             step1.base_model,
             lora_config: %{rank: rank},
             request_options: Client.passed_options(opts)
           ),
         {:ok, step3} <-
           TrainingClient.load_state(
             step_client,
             path,
             request_options: Client.passed_options(opts)
           ),
         {:ok, _} <- Client.await_task(step3) do
      {:ok, step_client}
    end
  end

  @doc "Like `create_training_client_from_state/3`, in a `Task` (`Task.await/2` gives its result)."
  @spec create_training_client_from_state_async(t(), String.t(), keyword()) :: Task.t()
  def create_training_client_from_state_async(service, path, opts \\ []) do
    Task.async(fn -> create_training_client_from_state(service, path, opts) end)
  end

  @doc """
  Create a TrainingClient from a saved checkpoint, restoring the optimizer state too.

  ## Options

    * `:timeout` - the HTTP timeout of this call's requests, in milliseconds
    * `:request_options` - this call's options: `:timeout` (ms), `:max_retries`, `:headers`, `:query`, `:body`, `:idempotency_key`
  """
  @spec create_training_client_from_state_with_optimizer(t(), String.t(), keyword()) ::
          result(TrainingClient.t())
  def create_training_client_from_state_with_optimizer(service, path, opts \\ []) do
    Client.check_options!(opts, [], "create_training_client_from_state_with_optimizer/3")
    c = Client.handle(service, opts)

    with {:ok, step1} <-
           Client.call(
             c,
             "weights.info",
             body: %WeightsInfoBody{tinker_path: path},
             decode: WeightsInfoResponse
           ),
         {:ok, rank} <- Client.present(step1.lora_rank, "${result.lora_rank}"),
         {:ok, step_client} <-
           create_lora_training_client(
             service,
             step1.base_model,
             lora_config: %{rank: rank},
             request_options: Client.passed_options(opts)
           ),
         {:ok, step3} <-
           TrainingClient.load_state_with_optimizer(
             step_client,
             path,
             request_options: Client.passed_options(opts)
           ),
         {:ok, _} <- Client.await_task(step3) do
      {:ok, step_client}
    end
  end

  @doc "Like `create_training_client_from_state_with_optimizer/3`, in a `Task` (`Task.await/2` gives its result)."
  @spec create_training_client_from_state_with_optimizer_async(t(), String.t(), keyword()) ::
          Task.t()
  def create_training_client_from_state_with_optimizer_async(service, path, opts \\ []) do
    Task.async(fn -> create_training_client_from_state_with_optimizer(service, path, opts) end)
  end

  @doc """
  Create a SamplingClient for a tinker:// model path or a base model.

  ## Options

    * `:model_path`
    * `:base_model`
    * `:timeout` - the HTTP timeout of this call's requests, in milliseconds
    * `:request_options` - this call's options: `:timeout` (ms), `:max_retries`, `:headers`, `:query`, `:body`, `:idempotency_key`
  """
  @spec create_sampling_client(t(), keyword()) :: result(SamplingClient.t())
  def create_sampling_client(service, opts \\ []) do
    Client.check_options!(opts, [:model_path, :base_model], "create_sampling_client/2")
    model_path = Keyword.get(opts, :model_path)
    base_model = Keyword.get(opts, :base_model)
    c = Client.handle(service, opts)

    with {:ok, session_id} <- Client.session_id(c, :session_id),
         {:ok, step1} <-
           Client.call(
             c,
             "service.create_sampling_session",
             body: %CreateSamplingSessionRequest{
               session_id: session_id,
               sampling_session_seq_id: Client.next(c, :sampling_session_seq_id),
               base_model: base_model,
               model_path: model_path
             },
             decode: CreateSamplingSessionResponse
           ),
         {:ok, step2} <-
           Client.build(c, SamplingClient, %{sampling_session_id: step1.sampling_session_id}) do
      {:ok, step2}
    end
  end

  @doc "Like `create_sampling_client/2`, in a `Task` (`Task.await/2` gives its result)."
  @spec create_sampling_client_async(t(), keyword()) :: Task.t()
  def create_sampling_client_async(service, opts \\ []) do
    Task.async(fn -> create_sampling_client(service, opts) end)
  end

  @doc """
  A RestClient sharing this client's configuration (and no session).

  ## Options

    * `:timeout` - the HTTP timeout of this call's requests, in milliseconds
    * `:request_options` - this call's options: `:timeout` (ms), `:max_retries`, `:headers`, `:query`, `:body`, `:idempotency_key`
  """
  @spec create_rest_client(t(), keyword()) :: result(RestClient.t())
  def create_rest_client(service, opts \\ []) do
    Client.check_options!(opts, [], "create_rest_client/2")
    c = Client.handle(service, opts)
    Client.build(c, RestClient, %{})
  end

  @doc "Like `create_rest_client/2`, in a `Task` (`Task.await/2` gives its result)."
  @spec create_rest_client_async(t(), keyword()) :: Task.t()
  def create_rest_client_async(service, opts \\ []) do
    Task.async(fn -> create_rest_client(service, opts) end)
  end

  @doc """
  Upload a traced custom loss graph; the future resolves to its loss id.

  Answers `{:ok, task}`: the request is sent now, the task polls its result.

  ## Options

    * `:timeout` - the HTTP timeout of this call's requests, in milliseconds
    * `:request_options` - this call's options: `:timeout` (ms), `:max_retries`, `:headers`, `:query`, `:body`, `:idempotency_key`
  """
  @spec create_custom_loss(
          t(),
          String.t(),
          [CustomLossInput.t()],
          CustomLossGraph.t(),
          keyword()
        ) :: {:ok, Task.t()}
  def create_custom_loss(service, name, inputs, graph, opts \\ []) do
    Client.check_options!(opts, [], "create_custom_loss/5")
    c = Client.handle(service, opts)

    with {:ok, session_id} <- Client.session_id(c, :session_id),
         {:ok, step1} <-
           Client.future_task(
             c,
             "service.create_custom_loss",
             body: %CreateCustomLossRequest{
               session_id: session_id,
               custom_loss_seq_id: Client.next(c, :custom_loss_seq_id),
               name: name,
               inputs: inputs,
               graph: graph
             },
             decode: CreateCustomLossResponse
           ) do
      {:ok, step1}
    end
  end

  @doc """
  Mark the session finished with a client-reported reason.

  ## Options

    * `:detail`
    * `:timeout` - the HTTP timeout of this call's requests, in milliseconds
    * `:request_options` - this call's options: `:timeout` (ms), `:max_retries`, `:headers`, `:query`, `:body`, `:idempotency_key`
  """
  @spec finish_session(t(), ClientSessionFinishReason.t(), keyword()) :: result(nil)
  def finish_session(service, reason, opts \\ []) do
    Client.check_options!(opts, [:detail], "finish_session/3")
    detail = Keyword.get(opts, :detail)
    c = Client.handle(service, opts)

    with {:ok, session_id} <- Client.session_id(c, :session_id),
         {:ok, _} <-
           Client.call_empty(
             c,
             "service.finish_session",
             path: %{"session_id" => session_id},
             body: %FinishSessionBody{reason: reason, detail: detail}
           ) do
      {:ok, nil}
    end
  end

  @doc "Like `finish_session/3`, in a `Task` (`Task.await/2` gives its result)."
  @spec finish_session_async(t(), ClientSessionFinishReason.t(), keyword()) :: Task.t()
  def finish_session_async(service, reason, opts \\ []) do
    Task.async(fn -> finish_session(service, reason, opts) end)
  end

  @doc "Queues a telemetry event (the manifest's `generic` kind): never blocks, never fails."
  @spec log_event(t(), String.t(), map()) :: :ok
  def log_event(service, name, data \\ %{}) do
    Client.log_event(Client.handle(service), name, data)
  end

  @doc "The telemetry reporter of the client's family: `{:error, :disabled}` when telemetry is off."
  @spec telemetry_reporter(t()) :: {:ok, pid()} | {:error, :disabled}
  def telemetry_reporter(service), do: Client.telemetry_reporter(Client.handle(service))

  @doc "The telemetry reporter of the client process calling this (in its callbacks), else nil."
  @spec get_telemetry() :: pid() | nil
  def get_telemetry, do: ClientServer.telemetry_here()

  @doc "The telemetry reporter of the client's family, or nil when telemetry is off."
  @spec get_telemetry(t()) :: pid() | nil
  def get_telemetry(service) do
    case telemetry_reporter(service) do
      {:ok, pid} -> pid
      {:error, :disabled} -> nil
    end
  end

  @doc false
  def __methods__ do
    [
      {:get_server_capabilities, "get_server_capabilities", [], [], :sync},
      {:health_check, "health_check", [], [], :sync},
      {:client_config, "client_config", [{:sdk_version, "sdk_version", :string}], [], :sync},
      {
        :client_dynamic_config,
        "client_dynamic_config",
        [{:sdk_version, "sdk_version", :string}],
        [],
        :sync
      },
      {
        :join_sampling_session,
        "join_sampling_session",
        [{:sampling_session_id, "sampling_session_id", :string}],
        [],
        :sync
      },
      {
        :create_lora_training_client,
        "create_lora_training_client",
        [{:base_model, "base_model", :string}],
        [
          {:lora_config, "lora_config", LoraConfig},
          {:rank, "rank", {:nullable, :integer}},
          {:seed, "seed", {:nullable, :integer}},
          {:train_unembed, "train_unembed", {:nullable, :boolean}},
          {:train_mlp, "train_mlp", {:nullable, :boolean}},
          {:train_attn, "train_attn", {:nullable, :boolean}},
          {:user_metadata, "user_metadata", {:nullable, {:map, :any}}},
          {:optimizer, "optimizer", OptimizerConfig}
        ],
        :sync
      },
      {
        :create_training_client_from_state,
        "create_training_client_from_state",
        [{:path, "path", :string}],
        [],
        :sync
      },
      {
        :create_training_client_from_state_with_optimizer,
        "create_training_client_from_state_with_optimizer",
        [{:path, "path", :string}],
        [],
        :sync
      },
      {
        :create_sampling_client,
        "create_sampling_client",
        [],
        [
          {:model_path, "model_path", {:nullable, :string}},
          {:base_model, "base_model", {:nullable, :string}}
        ],
        :sync
      },
      {:create_rest_client, "create_rest_client", [], [], :sync},
      {
        :create_custom_loss,
        "create_custom_loss",
        [
          {:name, "name", :string},
          {:inputs, "inputs", {:list, CustomLossInput}},
          {:graph, "graph", CustomLossGraph}
        ],
        [],
        :task
      },
      {
        :finish_session,
        "finish_session",
        [{:reason, "reason", ClientSessionFinishReason}],
        [{:detail, "detail", {:nullable, :string}}],
        :sync
      }
    ]
  end
end
