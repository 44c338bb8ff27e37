defmodule Tinkc.SDK.Runtime.Client do
  @moduledoc false
  # What the generated client functions call. A client is either a process (a GenServer holding
  # counters, such as a ServiceClient) or a plain struct (a RestClient); `handle/1` turns either
  # into this struct: the client's module, its context (configuration, session, supervisor), its
  # state fields and its counters. The steps of a call then run in the caller's process, so many
  # calls on one client run at the same time.

  alias Tinkc.SDK.Config
  alias Tinkc.SDK.Error
  alias Tinkc.SDK.Runtime.ClientServer
  alias Tinkc.SDK.Runtime.Codec
  alias Tinkc.SDK.Runtime.Context
  alias Tinkc.SDK.Runtime.JSON
  alias Tinkc.SDK.Runtime.Poll
  alias Tinkc.SDK.Runtime.Request
  alias Tinkc.SDK.Runtime.Session
  alias Tinkc.SDK.Runtime.TelemetryReporter
  alias Tinkc.SDK.Spec

  defstruct [:module, :context, :pid, :counters, state: %{}, counter_names: []]

  @type t :: %__MODULE__{
          module: module(),
          context: Context.t(),
          pid: pid() | nil,
          counters: :atomics.atomics_ref() | nil,
          state: map(),
          counter_names: [atom()]
        }

  @type result(value) :: {:ok, value} | {:error, Error.t()}

  @doc "The handle of a client process (pid or name) or client struct."
  @spec handle(term()) :: t()
  def handle(%__MODULE__{} = handle), do: handle

  def handle(%{__struct__: module, context: %Context{} = ctx} = struct) do
    %__MODULE__{module: module, context: ctx, state: Map.take(struct, module.__client__().state)}
  end

  def handle(server), do: GenServer.call(server, :__handle__, :infinity)

  @doc "The handle of a client, with a call's options applied (`:timeout`, in milliseconds)."
  @spec handle(term(), keyword()) :: t()
  def handle(client, opts) do
    handle = handle(client)

    case Keyword.get(opts, :timeout) do
      nil -> handle
      timeout -> put_in(handle.context.config.timeout, timeout)
    end
  end

  @doc "A state field of the client."
  @spec state(t(), atom()) :: term()
  def state(%__MODULE__{state: state}, field), do: Map.get(state, field)

  @doc "The next value of a counter of the client: 0, 1, 2, ..."
  @spec next(t(), atom()) :: non_neg_integer()
  def next(%__MODULE__{counters: ref, counter_names: names, module: module}, counter) do
    case Enum.find_index(names, &(&1 == counter)) do
      nil -> raise ArgumentError, "#{inspect(module)} has no counter #{inspect(counter)}"
      index -> :atomics.add_get(ref, index + 1, 1) - 1
    end
  end

  @doc """
  The session id: the client's own state field when set, else the shared session's (created on
  first use).
  """
  @spec session_id(t(), atom()) :: result(String.t())
  def session_id(%__MODULE__{} = client, field) do
    case {state(client, field), client.context.session} do
      {id, _} when is_binary(id) ->
        {:ok, id}

      {nil, pid} when is_pid(pid) ->
        Session.session_id(pid)

      {nil, nil} ->
        {:error,
         Error.new(:validation, "#{inspect(client.module)} has no #{field} and no session",
           data: %{reason: :argument}
         )}
    end
  end

  # -- endpoints ----------------------------------------------------------------------------------

  @doc """
  Calls an endpoint; its response decoded as `:decode` (a codec type). Options: `:path`, `:query`
  (maps from parameter names to values), `:body` (a request struct, or `{type, value}`).
  """
  @spec call(t(), String.t(), keyword()) :: result(term())
  def call(%__MODULE__{} = client, endpoint_id, opts) do
    with {:ok, response} <- send(client, Spec.endpoint(endpoint_id), opts) do
      decode_response(response, Keyword.fetch!(opts, :decode))
    end
  end

  @doc "Calls an endpoint that answers no body."
  @spec call_empty(t(), String.t(), keyword()) :: result(nil)
  def call_empty(%__MODULE__{} = client, endpoint_id, opts \\ []) do
    with {:ok, _response} <- send(client, Spec.endpoint(endpoint_id), opts), do: {:ok, nil}
  end

  @doc """
  Calls a redirect_location endpoint: the `Location` it answers, not followed; with `:decode`
  (a record type) and `:url_field`, that record with the Location as its url.
  """
  @spec call_location(t(), String.t(), keyword()) :: result(term())
  def call_location(%__MODULE__{} = client, endpoint_id, opts \\ []) do
    with {:ok, response} <- send(client, Spec.endpoint(endpoint_id), opts) do
      case {Request.header(response.headers, "location"), Keyword.fetch(opts, :decode)} do
        {nil, _} ->
          {:error, invalid_response("the redirect has no Location", nil)}

        {location, :error} ->
          {:ok, location}

        # the declared record (a checkpoint's archive URL), its `:url_field` the Location
        {location, {:ok, type}} ->
          decode_location(location, type, Keyword.fetch!(opts, :url_field))
      end
    end
  end

  defp decode_location(location, type, field) do
    case Codec.decode(%{field => location}, type) do
      {:ok, value} -> {:ok, value}
      {:error, error} -> {:error, invalid_response(Codec.describe(error), location)}
    end
  end

  @doc "Sends a request that answers a future; its request id."
  @spec submit(t(), String.t(), keyword()) :: result(String.t())
  def submit(%__MODULE__{} = client, endpoint_id, opts \\ []) do
    endpoint = Spec.endpoint(endpoint_id)
    field = endpoint.futures.request_id_field

    with {:ok, response} <- send(client, endpoint, opts) do
      case Request.parse_body(response.body) do
        %{^field => id} when is_binary(id) -> {:ok, id}
        body -> {:error, invalid_response("the future handle has no `#{field}`", body)}
      end
    end
  end

  @doc "Polls the future `request_id` of the endpoint until it resolves; its result as `type`."
  @spec await_future(t(), String.t(), String.t(), Codec.type()) :: result(term())
  def await_future(%__MODULE__{} = client, endpoint_id, request_id, type) do
    endpoint = Spec.endpoint(endpoint_id)
    Poll.poll(client.context, endpoint.futures, request_id, type, endpoint)
  end

  @doc "Submits and polls at once: the future's result."
  @spec call_future(t(), String.t(), keyword()) :: result(term())
  def call_future(%__MODULE__{} = client, endpoint_id, opts) do
    with {:ok, request_id} <- submit(client, endpoint_id, opts) do
      await_future(client, endpoint_id, request_id, Keyword.fetch!(opts, :decode))
    end
  end

  @doc """
  Submits now (so requests leave in the order of the calls) and polls in a task: `{:ok, task}`,
  the task's result being the future's. A failed submission is the task's result too.
  """
  @spec future_task(t(), String.t(), keyword()) :: {:ok, Task.t()}
  def future_task(%__MODULE__{} = client, endpoint_id, opts) do
    case submit(client, endpoint_id, opts) do
      {:ok, request_id} ->
        type = Keyword.fetch!(opts, :decode)
        {:ok, Task.async(fn -> await_future(client, endpoint_id, request_id, type) end)}

      {:error, error} ->
        {:ok, Task.async(fn -> {:error, error} end)}
    end
  end

  @doc "The result of a task a future-returning call gave."
  @spec await_task(Task.t()) :: result(term())
  def await_task(%Task{} = task), do: Task.await(task, :infinity)

  @doc "Runs `fun` (a flow declared `returns: task`) in a task: `{:ok, task}`, its result the flow's."
  @spec in_task((() -> result(term()))) :: {:ok, Task.t()}
  def in_task(fun), do: {:ok, Task.async(fun)}

  @doc """
  The rest of a `returns: task` flow whose first request was `submitted` before: `{:ok, task}`
  running `fun` on the request id, or whose result is the submission's error.
  """
  @spec in_task(result(String.t()), (String.t() -> result(term()))) :: {:ok, Task.t()}
  def in_task({:ok, request_id}, fun), do: {:ok, Task.async(fn -> fun.(request_id) end)}
  def in_task({:error, _} = error, _fun), do: {:ok, Task.async(fn -> error end)}

  @doc "What a function answering `{:ok, task}` resolves to (a `returns: task` flow called by a flow)."
  @spec await_answer({:ok, Task.t()} | {:error, Error.t()}) :: result(term())
  def await_answer({:ok, %Task{} = task}), do: await_task(task)
  def await_answer({:error, _} = error), do: error

  defp send(client, endpoint, opts) do
    body = encode_body(Keyword.get(opts, :body))
    request_opts = [path: Keyword.get(opts, :path, %{}), query: Keyword.get(opts, :query, %{})]
    Request.send(client.context, endpoint, [body: body] ++ request_opts)
  end

  defp encode_body(nil), do: nil
  defp encode_body({type, value}), do: Codec.encode(value, type)
  defp encode_body(%{__struct__: module} = struct), do: Codec.encode(struct, module)

  defp decode_response(%{body: body}, type) do
    json =
      case body do
        "" -> {:ok, nil}
        _ -> JSON.decode(body)
      end

    with {:ok, term} <- json,
         {:ok, value} <- Codec.decode(term, type) do
      {:ok, value}
    else
      {:error, {:invalid, _path, _message} = problem} ->
        message = "the response does not have the declared shape: #{Codec.describe(problem)}"
        {:error, invalid_response(message, body)}

      {:error, _} ->
        {:error, invalid_response("the response body is not JSON", String.slice(body, 0, 1000))}
    end
  end

  defp invalid_response(message, body),
    do: Error.new(:validation, message, data: %{reason: :response, body: body})

  # -- flows --------------------------------------------------------------------------------------

  @doc "A value the API declares optional, where the next step needs it: absent is an error."
  @spec present(term(), String.t()) :: result(term())
  def present(nil, what) do
    message = "`#{what}` is absent from the response, but the next step needs it"
    {:error, invalid_response(message, nil)}
  end

  def present(value, _what), do: {:ok, value}

  @doc "A client of `module` sharing this one's context, with the given state."
  @spec build(t(), module(), map()) :: result(term())
  def build(%__MODULE__{context: ctx}, module, state) do
    if module.__client__().process do
      ClientServer.start_child(ctx, module, state)
    else
      {:ok, struct(module, Map.merge(state, %{context: ctx, config: ctx.config}))}
    end
  end

  @doc "A client of `module` sharing this one's context (a sibling)."
  @spec sibling(t(), module()) :: result(term())
  def sibling(%__MODULE__{} = client, module), do: build(client, module, %{})

  @doc "Runs the functions at the same time; their results in order, or the first error."
  @spec concurrently([(() -> result(term()))]) :: result([term()])
  def concurrently(funs) do
    funs
    |> Enum.map(&Task.async/1)
    |> Task.await_many(:infinity)
    |> Enum.reduce_while({:ok, []}, fn
      {:ok, value}, {:ok, acc} -> {:cont, {:ok, [value | acc]}}
      {:error, _} = error, _acc -> {:halt, error}
    end)
    |> case do
      {:ok, values} -> {:ok, Enum.reverse(values)}
      error -> error
    end
  end

  @doc "Queues a telemetry event of the manifest's `generic` kind; never blocks, never fails."
  @spec log_event(t(), String.t(), map()) :: :ok
  def log_event(%__MODULE__{context: ctx}, name, data) do
    TelemetryReporter.event(ctx.reporter, "generic", %{"event_name" => name, "event_data" => data})
  end

  @doc "The telemetry reporter of the client's family, if telemetry is on."
  @spec telemetry_reporter(t()) :: {:ok, pid()} | {:error, :disabled}
  def telemetry_reporter(%__MODULE__{context: %Context{reporter: nil}}), do: {:error, :disabled}
  def telemetry_reporter(%__MODULE__{context: %Context{reporter: pid}}), do: {:ok, pid}

  @doc "A struct client from options (the configuration's and its state fields)."
  @spec new_struct(module(), keyword()) :: result(struct())
  def new_struct(module, opts) do
    with {:ok, config} <- Config.build(Keyword.take(opts, Config.options())) do
      state = Map.new(Keyword.take(opts, module.__client__().state))
      {:ok, struct(module, Map.merge(state, %{config: config, context: Context.new(config)}))}
    end
  end
end
