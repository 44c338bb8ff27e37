defmodule Tinkex.SamplingClient do
  @moduledoc """
  Samples from one sampling session (a base model or saved sampler weights).

  A process: `start_link/1` starts one from a configuration; clients made by its functions share
  its configuration and session, and stop with it.

  Every function answers `{:ok, value}` or `{:error, %Tinkex.Error{}}`; one whose result the
  server computes later answers `{:ok, task}` (`Task.await/2` gives the result).
  """

  use GenServer, restart: :temporary

  alias Tinkex.API.Futures
  alias Tinkex.Error
  alias Tinkex.QueueStateObserver
  alias Tinkex.Runtime.Client
  alias Tinkex.Runtime.ClientServer
  alias Tinkex.Runtime.QueueObserver
  alias Tinkex.ServiceClient
  alias Tinkex.Spec
  alias Tinkex.Types.CancelFutureBody
  alias Tinkex.Types.FuturesRetrieveRequest
  alias Tinkex.Types.FuturesRetrieveResponse
  alias Tinkex.Types.ModelInput
  alias Tinkex.Types.RequestID
  alias Tinkex.Types.SampleRequest
  alias Tinkex.Types.SampleResponse
  alias Tinkex.Types.SampleStreamChunk
  alias Tinkex.Types.SampleStreamRequest
  alias Tinkex.Types.SamplingParams
  alias Tinkex.Types.SamplingSessionFuturesTarget

  @behaviour QueueStateObserver

  @typedoc "A client process: its pid or registered name, or a `with_options/2` copy of one."
  @type t :: GenServer.server() | Client.t()

  @typedoc "A call's value, or the error."
  @type result(value) :: {:ok, value} | {:error, Error.t()}

  @doc """
  Starts the client. Options: those of `Tinkex.Config` (`:api_key`, `:base_url`, ...) or
  `:config`, and `:name`; its state: `:sampling_session_id`. A configuration error (no API key...)
  is `{:error, %Tinkex.Error{}}`.
  """
  @spec start_link(keyword()) :: GenServer.on_start() | {:error, Error.t()}
  def start_link(opts \\ []), do: ClientServer.start_link(__MODULE__, opts)

  @doc false
  def __client__ do
    %{process: true, state: [:sampling_session_id, :seq_id], counters: [:seq_id]}
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
  def with_options(sampling, request_options), do: Client.with_options(sampling, request_options)

  @doc """
  Long-poll a sampling session's completion queue (cursor based).

  `POST /api/v1/retrieve_futures`

  ## Options

    * `:prev_cursor` - Opaque cursor from the previous response (0 on the first poll). (default: `0`)
    * `:timeout`
    * `:retrieved_request_ids` - Requests of the target whose results have been fully retrieved, so the server can drop their payloads. (default: `[]`)
    * `:request_options` - this call's options: `:timeout` (ms), `:max_retries`, `:headers`, `:query`, `:body`, `:idempotency_key`
  """
  @spec retrieve_futures(t(), SamplingSessionFuturesTarget.t(), keyword()) ::
          result(FuturesRetrieveResponse.t())
  def retrieve_futures(sampling, target, opts \\ []) do
    Client.check_options!(
      opts,
      [:prev_cursor, :timeout, :retrieved_request_ids],
      "retrieve_futures/3"
    )

    prev_cursor = Keyword.get(opts, :prev_cursor, 0)
    timeout = Keyword.get(opts, :timeout)
    retrieved_request_ids = Keyword.get(opts, :retrieved_request_ids, [])
    c = Client.handle(sampling, Keyword.delete(opts, :timeout))

    Futures.retrieve_multi(
      %FuturesRetrieveRequest{
        target: target,
        prev_cursor: prev_cursor,
        timeout: timeout,
        retrieved_request_ids: retrieved_request_ids
      },
      client: c
    )
  end

  @doc "Like `retrieve_futures/3`, in a `Task` (`Task.await/2` gives its result)."
  @spec retrieve_futures_async(t(), SamplingSessionFuturesTarget.t(), keyword()) :: Task.t()
  def retrieve_futures_async(sampling, target, opts \\ []) do
    Task.async(fn -> retrieve_futures(sampling, target, opts) end)
  end

  @doc """
  Ask the server to stop an abandoned sampling request.

  `POST /api/v1/cancel_future`

  ## Options

    * `:timeout` - the HTTP timeout of this call's requests, in milliseconds
    * `:request_options` - this call's options: `:timeout` (ms), `:max_retries`, `:headers`, `:query`, `:body`, `:idempotency_key`
  """
  @spec cancel_future(t(), RequestID.t(), keyword()) :: result(nil)
  def cancel_future(sampling, request_id, opts \\ []) do
    Client.check_options!(opts, [], "cancel_future/3")
    c = Client.handle(sampling, opts)
    Futures.cancel(%CancelFutureBody{request_id: request_id}, client: c)
  end

  @doc "Like `cancel_future/3`, in a `Task` (`Task.await/2` gives its result)."
  @spec cancel_future_async(t(), RequestID.t(), keyword()) :: Task.t()
  def cancel_future_async(sampling, request_id, opts \\ []) do
    Task.async(fn -> cancel_future(sampling, request_id, opts) end)
  end

  @doc """
  Generate completions for a prompt.

  Answers `{:ok, task}`: the request is sent now, the task polls its result.

  ## Options

    * `:num_samples` (default: `1`)
    * `:prompt_logprobs`
    * `:timeout` - the HTTP timeout of this call's requests, in milliseconds
    * `:request_options` - this call's options: `:timeout` (ms), `:max_retries`, `:headers`, `:query`, `:body`, `:idempotency_key`
  """
  @spec sample(t(), ModelInput.t(), SamplingParams.t(), keyword()) :: {:ok, Task.t()}
  def sample(sampling, prompt, sampling_params, opts \\ []) do
    Client.check_options!(opts, [:num_samples, :prompt_logprobs], "sample/4")
    num_samples = Keyword.get(opts, :num_samples, 1)
    prompt_logprobs = Keyword.get(opts, :prompt_logprobs)
    c = Client.handle(sampling, opts)

    Client.future_task(
      c,
      "sampling.asample",
      body: %SampleRequest{
        num_samples: num_samples,
        prompt: prompt,
        sampling_params: sampling_params,
        sampling_session_id: Client.state(c, :sampling_session_id),
        seq_id: Client.next(c, :seq_id),
        prompt_logprobs: prompt_logprobs
      },
      decode: SampleResponse
    )
  end

  @doc """
  Generate completions for a prompt, the answer streamed chunk by chunk (Tinkex's streaming
  endpoint).

  ## Options

    * `:num_samples` (default: `1`)
    * `:timeout` - the HTTP timeout of this call's requests, in milliseconds
    * `:request_options` - this call's options: `:timeout` (ms), `:max_retries`, `:headers`, `:query`, `:body`, `:idempotency_key`
  """
  @spec sample_stream(t(), ModelInput.t(), SamplingParams.t(), keyword()) ::
          result(Enumerable.t())
  def sample_stream(sampling, prompt, sampling_params, opts \\ []) do
    Client.check_options!(opts, [:num_samples], "sample_stream/4")
    num_samples = Keyword.get(opts, :num_samples, 1)
    c = Client.handle(sampling, opts)

    Client.call_stream(
      c,
      "sampling.sample_stream",
      body: %SampleStreamRequest{
        sampling_session_id: Client.state(c, :sampling_session_id),
        seq_id: Client.next(c, :seq_id),
        prompt: prompt,
        sampling_params: sampling_params,
        num_samples: num_samples
      },
      decode: SampleStreamChunk
    )
  end

  @doc "Like `sample_stream/4`, in a `Task` (`Task.await/2` gives its result)."
  @spec sample_stream_async(t(), ModelInput.t(), SamplingParams.t(), keyword()) :: Task.t()
  def sample_stream_async(sampling, prompt, sampling_params, opts \\ []) do
    Task.async(fn -> sample_stream(sampling, prompt, sampling_params, opts) end)
  end

  @doc """
  Log probabilities of the prompt tokens (null for the first token).

  Answers `{:ok, task}`: the task runs the calls and answers their result (`Task.await/2`).

  ## Options

    * `:timeout` - the HTTP timeout of this call's requests, in milliseconds
    * `:request_options` - this call's options: `:timeout` (ms), `:max_retries`, `:headers`, `:query`, `:body`, `:idempotency_key`
  """
  @spec compute_logprobs(t(), ModelInput.t(), keyword()) :: {:ok, Task.t()}
  def compute_logprobs(sampling, prompt, opts \\ []) do
    Client.check_options!(opts, [], "compute_logprobs/3")
    c = Client.handle(sampling, opts)

    submitted =
      Client.submit(
        c,
        "sampling.asample",
        body: %SampleRequest{
          num_samples: 1,
          prompt: prompt,
          sampling_params: %{max_tokens: 1},
          sampling_session_id: Client.state(c, :sampling_session_id),
          seq_id: Client.next(c, :seq_id),
          prompt_logprobs: true
        }
      )

    Client.in_task(submitted, fn request_id ->
      with {:ok, step2} <-
             Client.await_future(c, "sampling.asample", request_id, SampleResponse) do
        {:ok, step2.prompt_logprobs}
      end
    end)
  end

  @doc """
  Same as the service client's create_sampling_client (the first argument is that client).
  """
  defdelegate create(service, opts \\ []), to: ServiceClient, as: :create_sampling_client

  @doc """
  `create` in a `Task` (`ServiceClient.create_sampling_client_async`).
  """
  defdelegate create_async(service, opts \\ []),
    to: ServiceClient,
    as: :create_sampling_client_async

  @doc """
  Forgets when the queue-state log last logged a change for `sampling_session_id`: the next change
  of its futures is logged at once (the log lines are debounced per value of it).
  """
  @spec clear_queue_state_debounce(String.t()) :: :ok
  def clear_queue_state_debounce(sampling_session_id) do
    QueueObserver.clear_debounce(sampling_session_id)
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
  def log_event(sampling, name, data \\ %{}) do
    Client.log_event(Client.handle(sampling), name, data)
  end

  @doc "The telemetry reporter of the client's family: `{:error, :disabled}` when telemetry is off."
  @spec telemetry_reporter(t()) :: {:ok, pid()} | {:error, :disabled}
  def telemetry_reporter(sampling), do: Client.telemetry_reporter(Client.handle(sampling))

  @doc "The telemetry reporter of the client process calling this (in its callbacks), else nil."
  @spec get_telemetry() :: pid() | nil
  def get_telemetry, do: ClientServer.telemetry_here()

  @doc "The telemetry reporter of the client's family, or nil when telemetry is off."
  @spec get_telemetry(t()) :: pid() | nil
  def get_telemetry(sampling) do
    case telemetry_reporter(sampling) do
      {:ok, pid} -> pid
      {:error, :disabled} -> nil
    end
  end

  @doc false
  def __methods__ do
    [
      {
        :retrieve_futures,
        "retrieve_futures",
        [{:target, "target", SamplingSessionFuturesTarget}],
        [
          {:prev_cursor, "prev_cursor", :integer},
          {:timeout, "timeout", {:nullable, :float}},
          {:retrieved_request_ids, "retrieved_request_ids", {:list, :string}}
        ],
        :sync
      },
      {:cancel_future, "cancel_future", [{:request_id, "request_id", RequestID}], [], :sync},
      {
        :sample,
        "sample",
        [{:prompt, "prompt", ModelInput}, {:sampling_params, "sampling_params", SamplingParams}],
        [
          {:num_samples, "num_samples", :integer},
          {:prompt_logprobs, "prompt_logprobs", {:nullable, :boolean}}
        ],
        :task
      },
      {
        :sample_stream,
        "sample_stream",
        [{:prompt, "prompt", ModelInput}, {:sampling_params, "sampling_params", SamplingParams}],
        [{:num_samples, "num_samples", :integer}],
        :sync
      },
      {:compute_logprobs, "compute_logprobs", [{:prompt, "prompt", ModelInput}], [], :task}
    ]
  end
end
