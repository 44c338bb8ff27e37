defmodule Tinkex.TrainingClient do
  @moduledoc """
  One training model (LoRA); created by the ServiceClient.

  A process: `start_link/1` starts one from a configuration; clients made by its functions share
  its configuration and session, and stop with it.

  Every function answers `{:ok, value}` or `{:error, %Tinkex.Error{}}`; one whose result the
  server computes later answers `{:ok, task}` (`Task.await/2` gives the result).
  """

  use GenServer, restart: :temporary

  alias Tinkex.Error
  alias Tinkex.QueueStateObserver
  alias Tinkex.Runtime.Chunks
  alias Tinkex.Runtime.Client
  alias Tinkex.Runtime.ClientServer
  alias Tinkex.Runtime.QueueObserver
  alias Tinkex.SamplingClient
  alias Tinkex.Spec
  alias Tinkex.Types.AdamParams
  alias Tinkex.Types.CreateSamplingSessionRequest
  alias Tinkex.Types.CreateSamplingSessionResponse
  alias Tinkex.Types.Datum
  alias Tinkex.Types.ForwardBackwardOutput
  alias Tinkex.Types.ForwardBackwardRequest
  alias Tinkex.Types.ForwardRequest
  alias Tinkex.Types.GetInfoResponse
  alias Tinkex.Types.LoadWeightsRequest
  alias Tinkex.Types.LoadWeightsResponse
  alias Tinkex.Types.LossFnType
  alias Tinkex.Types.OptimStepRequest
  alias Tinkex.Types.OptimStepResponse
  alias Tinkex.Types.SaveWeightsExternalRequest
  alias Tinkex.Types.SaveWeightsExternalResponseInternal
  alias Tinkex.Types.SaveWeightsForSamplerRequest
  alias Tinkex.Types.SaveWeightsForSamplerResponse
  alias Tinkex.Types.SaveWeightsRequest
  alias Tinkex.Types.SaveWeightsResponse
  alias Tinkex.Types.UnloadModelRequest
  alias Tinkex.Types.UnloadModelResponse

  @behaviour QueueStateObserver

  @typedoc "A client process: its pid or registered name, or a `with_options/2` copy of one."
  @type t :: GenServer.server() | Client.t()

  @typedoc "A call's value, or the error."
  @type result(value) :: {:ok, value} | {:error, Error.t()}

  @doc """
  Starts the client. Options: those of `Tinkex.Config` (`:api_key`, `:base_url`, ...) or
  `:config`, and `:name`; its state: `:session_id`, `:model_id`, `:info`. A configuration error
  (no API key...) is `{:error, %Tinkex.Error{}}`.
  """
  @spec start_link(keyword()) :: GenServer.on_start() | {:error, Error.t()}
  def start_link(opts \\ []), do: ClientServer.start_link(__MODULE__, opts)

  @doc false
  def __client__ do
    %{
      process: true,
      state: [:session_id, :model_id, :info, :seq_id, :sampling_session_seq_id],
      counters: [:seq_id, :sampling_session_seq_id]
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
  def with_options(training, request_options), do: Client.with_options(training, request_options)

  @doc """
  Create a SamplingClient for a tinker:// model path, in this model's session.

  ## Options

    * `:timeout` - the HTTP timeout of this call's requests, in milliseconds
    * `:request_options` - this call's options: `:timeout` (ms), `:max_retries`, `:headers`, `:query`, `:body`, `:idempotency_key`
  """
  @spec create_sampling_client(t(), String.t(), keyword()) :: result(SamplingClient.t())
  def create_sampling_client(training, model_path, opts \\ []) do
    Client.check_options!(opts, [], "create_sampling_client/3")
    c = Client.handle(training, opts)

    with {:ok, session_id} <- Client.session_id(c, :session_id),
         {:ok, step1} <-
           Client.call(
             c,
             "service.create_sampling_session",
             body: %CreateSamplingSessionRequest{
               session_id: session_id,
               sampling_session_seq_id: Client.next(c, :sampling_session_seq_id),
               model_path: model_path
             },
             decode: CreateSamplingSessionResponse
           ),
         {:ok, step2} <-
           Client.build(c, SamplingClient, %{sampling_session_id: step1.sampling_session_id}) do
      {:ok, step2}
    end
  end

  @doc "Like `create_sampling_client/3`, in a `Task` (`Task.await/2` gives its result)."
  @spec create_sampling_client_async(t(), String.t(), keyword()) :: Task.t()
  def create_sampling_client_async(training, model_path, opts \\ []) do
    Task.async(fn -> create_sampling_client(training, model_path, opts) end)
  end

  @doc """
  Save the current weights and create a SamplingClient on them.

  ## Options

    * `:timeout` - the HTTP timeout of this call's requests, in milliseconds
    * `:request_options` - this call's options: `:timeout` (ms), `:max_retries`, `:headers`, `:query`, `:body`, `:idempotency_key`
  """
  @spec save_weights_and_get_sampling_client_sync(t(), keyword()) :: result(SamplingClient.t())
  def save_weights_and_get_sampling_client_sync(training, opts \\ []) do
    Client.check_options!(opts, [], "save_weights_and_get_sampling_client_sync/2")
    c = Client.handle(training, opts)

    with {:ok, step2} <-
           Client.await_submitted(
             c,
             "weights.save_for_sampler",
             Client.in_lane(c, :seq_id, fn ->
               Client.submit(
                 c,
                 "weights.save_for_sampler",
                 body: %SaveWeightsForSamplerRequest{
                   model_id: Client.state(c, :model_id),
                   sampling_session_seq_id: Client.next(c, :sampling_session_seq_id),
                   seq_id: Client.next(c, :seq_id, 1)
                 }
               )
             end),
             SaveWeightsForSamplerResponse
           ),
         {:ok, step3} <-
           Client.build(c, SamplingClient, %{sampling_session_id: step2.sampling_session_id}) do
      {:ok, step3}
    end
  end

  @doc "Like `save_weights_and_get_sampling_client_sync/2`, in a `Task` (`Task.await/2` gives its result)."
  @spec save_weights_and_get_sampling_client_sync_async(t(), keyword()) :: Task.t()
  def save_weights_and_get_sampling_client_sync_async(training, opts \\ []) do
    Task.async(fn -> save_weights_and_get_sampling_client_sync(training, opts) end)
  end

  @doc """
  Information about the model: its base model, LoRA configuration and optimizer (as fetched when
  the client was created).

  ## Options

    * `:timeout` - the HTTP timeout of this call's requests, in milliseconds
    * `:request_options` - this call's options: `:timeout` (ms), `:max_retries`, `:headers`, `:query`, `:body`, `:idempotency_key`
  """
  @spec get_info(t(), keyword()) :: result(GetInfoResponse.t())
  def get_info(training, opts \\ []) do
    Client.check_options!(opts, [], "get_info/2")
    c = Client.handle(training, opts)
    {:ok, Client.state(c, :info)}
  end

  @doc "Like `get_info/2`, in a `Task` (`Task.await/2` gives its result)."
  @spec get_info_async(t(), keyword()) :: Task.t()
  def get_info_async(training, opts \\ []) do
    Task.async(fn -> get_info(training, opts) end)
  end

  @doc """
  Unload the model from the server (Tinkex; not used by 0.38).

  ## Options

    * `:timeout` - the HTTP timeout of this call's requests, in milliseconds
    * `:request_options` - this call's options: `:timeout` (ms), `:max_retries`, `:headers`, `:query`, `:body`, `:idempotency_key`
  """
  @spec unload_model(t(), keyword()) :: result(UnloadModelResponse.t())
  def unload_model(training, opts \\ []) do
    Client.check_options!(opts, [], "unload_model/2")
    c = Client.handle(training, opts)

    Client.call_future(
      c,
      "models.unload",
      body: %UnloadModelRequest{model_id: Client.state(c, :model_id)},
      decode: UnloadModelResponse
    )
  end

  @doc "Like `unload_model/2`, in a `Task` (`Task.await/2` gives its result)."
  @spec unload_model_async(t(), keyword()) :: Task.t()
  def unload_model_async(training, opts \\ []) do
    Task.async(fn -> unload_model(training, opts) end)
  end

  @doc """
  Run a forward and backward pass and accumulate gradients.

  Answers `{:ok, task}`: the request is sent now, the task polls its result.

  ## Options

    * `:loss_fn_config`
    * `:timeout` - the HTTP timeout of this call's requests, in milliseconds
    * `:request_options` - this call's options: `:timeout` (ms), `:max_retries`, `:headers`, `:query`, `:body`, `:idempotency_key`
  """
  @spec forward_backward(t(), [Datum.t()], LossFnType.t(), keyword()) :: {:ok, Task.t()}
  def forward_backward(training, data, loss_fn, opts \\ []) do
    Client.check_options!(opts, [:loss_fn_config], "forward_backward/4")
    loss_fn_config = Keyword.get(opts, :loss_fn_config)
    c = Client.handle(training, opts)

    Chunks.task(
      c,
      "training.forward_backward",
      data,
      %{
        input: "data",
        item: Datum,
        max_items: 1024,
        max_bytes: 5_000_000,
        combine: [loss_fn_outputs: :concat, metrics: :metrics]
      },
      ForwardBackwardOutput,
      fn chunk ->
        [
          body: %ForwardBackwardRequest{
            forward_backward_input: %{
              data: chunk,
              loss_fn: loss_fn,
              loss_fn_config: loss_fn_config
            },
            model_id: Client.state(c, :model_id),
            seq_id: Client.next(c, :seq_id, 1)
          }
        ]
      end
    )
  end

  @doc """
  Run a forward pass only (no gradients).

  Answers `{:ok, task}`: the request is sent now, the task polls its result.

  ## Options

    * `:loss_fn_config`
    * `:timeout` - the HTTP timeout of this call's requests, in milliseconds
    * `:request_options` - this call's options: `:timeout` (ms), `:max_retries`, `:headers`, `:query`, `:body`, `:idempotency_key`
  """
  @spec forward(t(), [Datum.t()], LossFnType.t(), keyword()) :: {:ok, Task.t()}
  def forward(training, data, loss_fn, opts \\ []) do
    Client.check_options!(opts, [:loss_fn_config], "forward/4")
    loss_fn_config = Keyword.get(opts, :loss_fn_config)
    c = Client.handle(training, opts)

    Chunks.task(
      c,
      "training.forward",
      data,
      %{
        input: "data",
        item: Datum,
        max_items: 1024,
        max_bytes: 5_000_000,
        combine: [loss_fn_outputs: :concat, metrics: :metrics]
      },
      ForwardBackwardOutput,
      fn chunk ->
        [
          body: %ForwardRequest{
            forward_input: %{data: chunk, loss_fn: loss_fn, loss_fn_config: loss_fn_config},
            model_id: Client.state(c, :model_id),
            seq_id: Client.next(c, :seq_id, 1)
          }
        ]
      end
    )
  end

  @doc """
  Apply one optimizer step with the given Adam hyperparameters.

  Answers `{:ok, task}`: the request is sent now, the task polls its result.

  ## Options

    * `:timeout` - the HTTP timeout of this call's requests, in milliseconds
    * `:request_options` - this call's options: `:timeout` (ms), `:max_retries`, `:headers`, `:query`, `:body`, `:idempotency_key`
  """
  @spec optim_step(t(), AdamParams.t(), keyword()) :: {:ok, Task.t()}
  def optim_step(training, adam_params, opts \\ []) do
    Client.check_options!(opts, [], "optim_step/3")
    c = Client.handle(training, opts)

    Client.in_lane(c, :seq_id, fn ->
      Client.future_task(
        c,
        "training.optim_step",
        body: %OptimStepRequest{
          optim_params: adam_params,
          model_id: Client.state(c, :model_id),
          seq_id: Client.next(c, :seq_id, 1)
        },
        decode: OptimStepResponse
      )
    end)
  end

  @doc """
  Save the training state (weights and optimizer) as a named checkpoint.

  Answers `{:ok, task}`: the request is sent now, the task polls its result.

  ## Options

    * `:ttl_seconds`
    * `:timeout` - the HTTP timeout of this call's requests, in milliseconds
    * `:request_options` - this call's options: `:timeout` (ms), `:max_retries`, `:headers`, `:query`, `:body`, `:idempotency_key`
  """
  @spec save_state(t(), String.t(), keyword()) :: {:ok, Task.t()}
  def save_state(training, name, opts \\ []) do
    Client.check_options!(opts, [:ttl_seconds], "save_state/3")
    ttl_seconds = Keyword.get(opts, :ttl_seconds)
    c = Client.handle(training, opts)

    Client.in_lane(c, :seq_id, fn ->
      Client.future_task(
        c,
        "weights.save",
        body: %SaveWeightsRequest{
          model_id: Client.state(c, :model_id),
          path: name,
          seq_id: Client.next(c, :seq_id, 1),
          ttl_seconds: ttl_seconds
        },
        decode: SaveWeightsResponse
      )
    end)
  end

  @doc """
  Load the weights of a checkpoint (not the optimizer state).

  Answers `{:ok, task}`: the request is sent now, the task polls its result.

  ## Options

    * `:timeout` - the HTTP timeout of this call's requests, in milliseconds
    * `:request_options` - this call's options: `:timeout` (ms), `:max_retries`, `:headers`, `:query`, `:body`, `:idempotency_key`
  """
  @spec load_state(t(), String.t(), keyword()) :: {:ok, Task.t()}
  def load_state(training, path, opts \\ []) do
    Client.check_options!(opts, [], "load_state/3")
    c = Client.handle(training, opts)

    Client.in_lane(c, :seq_id, fn ->
      Client.future_task(
        c,
        "weights.load",
        body: %LoadWeightsRequest{
          model_id: Client.state(c, :model_id),
          seq_id: Client.next(c, :seq_id, 1),
          path: path,
          optimizer: false
        },
        decode: LoadWeightsResponse
      )
    end)
  end

  @doc """
  Load the weights and the optimizer state of a checkpoint.

  Answers `{:ok, task}`: the request is sent now, the task polls its result.

  ## Options

    * `:timeout` - the HTTP timeout of this call's requests, in milliseconds
    * `:request_options` - this call's options: `:timeout` (ms), `:max_retries`, `:headers`, `:query`, `:body`, `:idempotency_key`
  """
  @spec load_state_with_optimizer(t(), String.t(), keyword()) :: {:ok, Task.t()}
  def load_state_with_optimizer(training, path, opts \\ []) do
    Client.check_options!(opts, [], "load_state_with_optimizer/3")
    c = Client.handle(training, opts)

    Client.in_lane(c, :seq_id, fn ->
      Client.future_task(
        c,
        "weights.load",
        body: %LoadWeightsRequest{
          model_id: Client.state(c, :model_id),
          seq_id: Client.next(c, :seq_id, 1),
          path: path,
          optimizer: true
        },
        decode: LoadWeightsResponse
      )
    end)
  end

  @doc """
  Save the weights as a named sampler checkpoint.

  Answers `{:ok, task}`: the request is sent now, the task polls its result.

  ## Options

    * `:ttl_seconds`
    * `:timeout` - the HTTP timeout of this call's requests, in milliseconds
    * `:request_options` - this call's options: `:timeout` (ms), `:max_retries`, `:headers`, `:query`, `:body`, `:idempotency_key`
  """
  @spec save_weights_for_sampler(t(), String.t(), keyword()) :: {:ok, Task.t()}
  def save_weights_for_sampler(training, name, opts \\ []) do
    Client.check_options!(opts, [:ttl_seconds], "save_weights_for_sampler/3")
    ttl_seconds = Keyword.get(opts, :ttl_seconds)
    c = Client.handle(training, opts)

    Client.in_lane(c, :seq_id, fn ->
      Client.future_task(
        c,
        "weights.save_for_sampler",
        body: %SaveWeightsForSamplerRequest{
          model_id: Client.state(c, :model_id),
          path: name,
          seq_id: Client.next(c, :seq_id, 1),
          ttl_seconds: ttl_seconds
        },
        decode: SaveWeightsForSamplerResponse
      )
    end)
  end

  @doc """
  Export the weights in an external (HuggingFace) format (0.38; not in Tinkex).

  Answers `{:ok, task}`: the request is sent now, the task polls its result.

  ## Options

    * `:ttl_seconds`
    * `:timeout` - the HTTP timeout of this call's requests, in milliseconds
    * `:request_options` - this call's options: `:timeout` (ms), `:max_retries`, `:headers`, `:query`, `:body`, `:idempotency_key`
  """
  @spec save_weights_external(t(), String.t(), keyword()) :: {:ok, Task.t()}
  def save_weights_external(training, name, opts \\ []) do
    Client.check_options!(opts, [:ttl_seconds], "save_weights_external/3")
    ttl_seconds = Keyword.get(opts, :ttl_seconds)
    c = Client.handle(training, opts)

    Client.in_lane(c, :seq_id, fn ->
      Client.future_task(
        c,
        "weights.save_external",
        body: %SaveWeightsExternalRequest{
          model_id: Client.state(c, :model_id),
          path: name,
          seq_id: Client.next(c, :seq_id, 1),
          ttl_seconds: ttl_seconds
        },
        decode: SaveWeightsExternalResponseInternal
      )
    end)
  end

  @doc """
  Save the current weights and create a SamplingClient on them.

  Answers `{:ok, task}`: the task runs the calls and answers their result (`Task.await/2`).

  ## Options

    * `:timeout` - the HTTP timeout of this call's requests, in milliseconds
    * `:request_options` - this call's options: `:timeout` (ms), `:max_retries`, `:headers`, `:query`, `:body`, `:idempotency_key`
  """
  @spec save_weights_and_get_sampling_client(t(), keyword()) :: {:ok, Task.t()}
  def save_weights_and_get_sampling_client(training, opts \\ []) do
    Client.check_options!(opts, [], "save_weights_and_get_sampling_client/2")
    c = Client.handle(training, opts)

    submitted =
      Client.submit(
        c,
        "weights.save_for_sampler",
        body: %SaveWeightsForSamplerRequest{
          model_id: Client.state(c, :model_id),
          sampling_session_seq_id: Client.next(c, :sampling_session_seq_id),
          seq_id: Client.next(c, :seq_id, 1)
        }
      )

    Client.in_task(submitted, fn request_id ->
      with {:ok, step2} <-
             Client.await_future(
               c,
               "weights.save_for_sampler",
               request_id,
               SaveWeightsForSamplerResponse
             ),
           {:ok, step3} <-
             Client.build(c, SamplingClient, %{sampling_session_id: step2.sampling_session_id}) do
        {:ok, step3}
      end
    end)
  end

  @doc """
  Forgets when the queue-state log last logged a change for `model_id`: the next change of its
  futures is logged at once (the log lines are debounced per value of it).
  """
  @spec clear_queue_state_debounce(String.t()) :: :ok
  def clear_queue_state_debounce(model_id) do
    QueueObserver.clear_debounce(model_id)
  end

  @doc """
  Logs a queue-state change of this client's futures as the manifest's `queue_state_log` says
  (debounced): what the client does when no observer is given. The module implements
  `Tinkex.QueueStateObserver`, so it can be passed as the `:queue_state_observer` option.
  """
  @impl QueueStateObserver
  @spec on_queue_state_change(atom() | String.t(), map()) :: :ok
  def on_queue_state_change(queue_state, metadata \\ %{}) do
    log = Spec.queue_log("queue_state_log")
    key = {log.id, metadata[:endpoint]}
    QueueObserver.log(log, key, log.debounce_ms, queue_state, metadata)
  end

  @doc "Queues a telemetry event (the manifest's `generic` kind): never blocks, never fails."
  @spec log_event(t(), String.t(), map()) :: :ok
  def log_event(training, name, data \\ %{}) do
    Client.log_event(Client.handle(training), name, data)
  end

  @doc "The telemetry reporter of the client's family: `{:error, :disabled}` when telemetry is off."
  @spec telemetry_reporter(t()) :: {:ok, pid()} | {:error, :disabled}
  def telemetry_reporter(training), do: Client.telemetry_reporter(Client.handle(training))

  @doc "The telemetry reporter of the client process calling this (in its callbacks), else nil."
  @spec get_telemetry() :: pid() | nil
  def get_telemetry, do: ClientServer.telemetry_here()

  @doc "The telemetry reporter of the client's family, or nil when telemetry is off."
  @spec get_telemetry(t()) :: pid() | nil
  def get_telemetry(training) do
    case telemetry_reporter(training) do
      {:ok, pid} -> pid
      {:error, :disabled} -> nil
    end
  end

  @doc false
  def __methods__ do
    [
      {
        :create_sampling_client,
        "create_sampling_client",
        [{:model_path, "model_path", :string}],
        [],
        :sync
      },
      {
        :save_weights_and_get_sampling_client_sync,
        "save_weights_and_get_sampling_client_sync",
        [],
        [],
        :sync
      },
      {:get_info, "get_info", [], [], :sync},
      {:unload_model, "unload_model", [], [], :sync},
      {
        :forward_backward,
        "forward_backward",
        [{:data, "data", {:list, Datum}}, {:loss_fn, "loss_fn", LossFnType}],
        [{:loss_fn_config, "loss_fn_config", {:nullable, {:map, {:one_of, [:float, :string]}}}}],
        :task
      },
      {
        :forward,
        "forward",
        [{:data, "data", {:list, Datum}}, {:loss_fn, "loss_fn", LossFnType}],
        [{:loss_fn_config, "loss_fn_config", {:nullable, {:map, {:one_of, [:float, :string]}}}}],
        :task
      },
      {:optim_step, "optim_step", [{:adam_params, "adam_params", AdamParams}], [], :task},
      {
        :save_state,
        "save_state",
        [{:name, "name", :string}],
        [{:ttl_seconds, "ttl_seconds", {:nullable, :integer}}],
        :task
      },
      {:load_state, "load_state", [{:path, "path", :string}], [], :task},
      {
        :load_state_with_optimizer,
        "load_state_with_optimizer",
        [{:path, "path", :string}],
        [],
        :task
      },
      {
        :save_weights_for_sampler,
        "save_weights_for_sampler",
        [{:name, "name", :string}],
        [{:ttl_seconds, "ttl_seconds", {:nullable, :integer}}],
        :task
      },
      {
        :save_weights_external,
        "save_weights_external",
        [{:name, "name", :string}],
        [{:ttl_seconds, "ttl_seconds", {:nullable, :integer}}],
        :task
      },
      {
        :save_weights_and_get_sampling_client,
        "save_weights_and_get_sampling_client",
        [],
        [],
        :task
      }
    ]
  end
end
