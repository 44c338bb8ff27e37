defmodule Petstore.Runtime.Client do
  @moduledoc false
  # What the generated client functions call. A client is either a process (a GenServer holding
  # counters, such as a ServiceClient) or a plain struct (a RestClient); `handle/1` turns either
  # into this struct: the client's module, its context (configuration, session, supervisor), its
  # state fields and its counters. The steps of a call then run in the caller's process, so many
  # calls on one client run at the same time.

  alias Petstore.Config
  alias Petstore.Error
  alias Petstore.Runtime.ClientServer
  alias Petstore.Runtime.Codec
  alias Petstore.Runtime.Context
  alias Petstore.Runtime.JSON
  alias Petstore.Runtime.Pagination
  alias Petstore.Runtime.Poll
  alias Petstore.Runtime.QueueObserver
  alias Petstore.Runtime.Request
  alias Petstore.Runtime.Session
  alias Petstore.Runtime.SSE
  alias Petstore.Runtime.TelemetryReporter
  alias Petstore.Spec

  defstruct [
    :module,
    :context,
    :pid,
    :counters,
    state: %{},
    counter_names: [],
    request_options: []
  ]

  # Where `with_raw_response/1` gathers the responses of the call it runs (this process's).
  @raw_key :"$tinkc_raw_responses"

  # The per-call options (`request_options:`), apart from the API's own parameters.
  @request_options [:timeout, :max_retries, :headers, :query, :body, :idempotency_key]

  @type t :: %__MODULE__{
          module: module(),
          context: Context.t(),
          pid: pid() | nil,
          counters: :atomics.atomics_ref() | nil,
          state: map(),
          counter_names: [atom()],
          request_options: keyword()
        }

  @type result(value) :: {:ok, value} | {:error, Error.t()}

  @doc "The handle of a client process (pid or name) or client struct."
  @spec handle(term()) :: t()
  def handle(%__MODULE__{} = handle), do: handle

  def handle(%{__struct__: module, context: %Context{} = ctx} = struct) do
    %__MODULE__{module: module, context: ctx, state: Map.take(struct, module.__client__().state)}
  end

  def handle(server), do: GenServer.call(server, :__handle__, :infinity)

  @doc """
  The handle of a client with a call's `:request_options` over the configuration's (`:timeout`
  in milliseconds, `:max_retries`, `:headers`, `:query`, `:body`, `:idempotency_key`). A
  top-level `:timeout` is the shorthand of `request_options: [timeout: ms]` (functions with a
  `timeout` parameter of their own drop it first). An unknown option fails the call.
  """
  @spec handle(term(), keyword()) :: t()
  def handle(client, opts) do
    handle = handle(client)
    with_call_options(handle, handle.context.config.request_options, opts)
  end

  # the handle with a call's options (`:request_options`, the `:timeout` shorthand) over `defaults`
  defp with_call_options(handle, defaults, opts) do
    options = merge_options(defaults, passed_options(opts))
    handle = %{handle | request_options: options}

    case options[:timeout] do
      timeout when is_integer(timeout) and timeout > 0 ->
        put_in(handle.context.config.timeout, timeout)

      _ ->
        handle
    end
  end

  @doc """
  A call's per-call options: its `:request_options`, with the top-level `:timeout` shorthand
  folded in. What `handle/2` applies, and what a flow passes on to a flow it calls.
  """
  @spec passed_options(keyword()) :: keyword()
  def passed_options(opts) do
    given = Keyword.get(opts, :request_options, [])

    case Keyword.get(opts, :timeout) do
      nil -> given
      timeout -> Keyword.put_new(given, :timeout, timeout)
    end
  end

  @doc """
  A copy of a client (a struct, a process or a handle) whose calls use `options` (the names of
  `:request_options`) by default, over the client's own defaults. The copy shares the client's
  connections, session, counters and telemetry (for a process, it is a handle on the same
  process). An unknown option raises `ArgumentError`, as an unknown keyword does.
  """
  @spec with_options(term(), keyword()) :: term()
  def with_options(client, options) do
    options = check_request_options!(options)

    case client do
      %__MODULE__{} = handle ->
        put_in(
          handle.context.config.request_options,
          merge_options(handle.context.config.request_options, options)
        )

      %{__struct__: _module, context: %Context{} = ctx} = struct ->
        config = %{
          ctx.config
          | request_options: merge_options(ctx.config.request_options, options)
        }

        struct = %{struct | context: %{ctx | config: config}}
        if Map.has_key?(struct, :config), do: %{struct | config: config}, else: struct

      server ->
        with_options(handle(server), options)
    end
  end

  defp check_request_options!(options) do
    unless Keyword.keyword?(options) do
      raise ArgumentError,
            "with_options: the options must be a keyword list, got: #{inspect(options)}"
    end

    case Keyword.keys(options) -- @request_options do
      [] ->
        options

      unknown ->
        raise ArgumentError,
              "with_options: unknown request option #{Enum.map_join(unknown, ", ", &inspect/1)} " <>
                "(known: #{Enum.map_join(@request_options, ", ", &inspect/1)})"
    end
  end

  # a call's options over the defaults: given values win; headers, query and body merge
  defp merge_options(base, given) do
    Keyword.merge(base, given, fn
      key, a, b when key in [:headers, :query, :body] and is_map(a) and is_map(b) ->
        Map.merge(a, b)

      _key, _a, b ->
        b
    end)
  end

  # The options every client function takes besides its own (read by `handle/2`).
  @per_call_options [:timeout, :request_options]

  @doc """
  Raises `ArgumentError` when `opts` holds an option the function does not declare, as
  `Keyword.validate!/2` does: a misspelt option is an error, never silently ignored. `known` are
  the function's own options; the per-call ones (`:timeout`, `:request_options`) are always accepted.
  """
  @spec check_options!(keyword(), [atom()], String.t()) :: :ok
  def check_options!(opts, known, function) when is_list(opts) do
    allowed = known ++ @per_call_options

    case Enum.reject(Keyword.keys(opts), &(&1 in allowed)) do
      [] ->
        :ok

      unknown ->
        raise ArgumentError,
              "#{function}: unknown option #{Enum.map_join(unknown, ", ", &inspect/1)} " <>
                "(known: #{Enum.map_join(allowed, ", ", &inspect/1)})"
    end
  end

  def check_options!(opts, _known, function) do
    raise ArgumentError, "#{function}: the options must be a keyword list, got: #{inspect(opts)}"
  end

  @doc """
  A flow input with `spread:` fields (`rank:` beside `lora_config:`): the record (a struct or a
  map) with each field given as an option of its own (not nil) in its place.
  """
  @spec overlay(map(), keyword()) :: map()
  def overlay(record, fields) when is_map(record) do
    Enum.reduce(fields, record, fn
      {_name, nil}, acc -> acc
      {name, value}, acc -> Map.put(acc, name, value)
    end)
  end

  @doc "A declared configuration option of the client's configuration (`${config.<name>}`)."
  @spec config_option(t(), atom()) :: term()
  def config_option(%__MODULE__{context: ctx}, name), do: Config.option(ctx.config, name)

  @doc """
  A field of the server's configuration (`${server.<name>}`), fetched when the family was
  created; the manifest's default when no config endpoint answered it.
  """
  @spec server_value(t(), String.t(), term()) :: term()
  def server_value(%__MODULE__{context: ctx}, name, default),
    do: Map.get(ctx.server, name, default)

  @doc "A state field of the client."
  @spec state(t(), atom()) :: term()
  def state(%__MODULE__{state: state}, field), do: Map.get(state, field)

  @doc "The next value of a counter of the client: start, start + 1, ... (the manifest's `start:`, 0 by default)"
  @spec next(t(), atom(), non_neg_integer()) :: non_neg_integer()
  def next(%__MODULE__{counters: ref, counter_names: names, module: module}, counter, start \\ 0) do
    case Enum.find_index(names, &(&1 == counter)) do
      nil -> raise ArgumentError, "#{inspect(module)} has no counter #{inspect(counter)}"
      index -> :atomics.add_get(ref, index + 1, 1) - 1 + start
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

  @doc """
  The pages of a paginated endpoint as a lazy `Stream`, from the request its plain function sends
  (the options of `call/3`, and `:paging`, the plan's rule, and `:items`, a page's items). Each
  page's request goes through `Request.send/3` as a call's does; a page that fails raises its
  `Error`.
  """
  @spec pages(t(), String.t(), keyword()) :: Enumerable.t()
  def pages(%__MODULE__{} = client, endpoint_id, opts) do
    first = %{
      endpoint: Spec.endpoint(endpoint_id),
      path: Keyword.get(opts, :path, %{}),
      query: Keyword.get(opts, :query, %{}),
      body: encode_body(Keyword.get(opts, :body))
    }

    type = Keyword.fetch!(opts, :decode)

    headers = header_values(Keyword.get(opts, :headers, %{}))

    fetch = fn request ->
      with {:ok, response} <-
             deliver(client, request.endpoint, request.path, request.query, request.body, headers),
           {:ok, page} <- decode_response(response, type) do
        {:ok, response, page}
      end
    end

    base_url = client.context.config.base_url

    Pagination.stream(
      Keyword.fetch!(opts, :paging),
      first,
      base_url,
      fetch,
      Keyword.fetch!(opts, :items)
    )
  end

  @doc """
  Calls a streaming endpoint (`stream: sse`): once its whole body is read, `{:ok, stream}`, a
  lazy `Stream` of its server-sent events' data, each decoded as `:decode` when the stream
  reaches it (an event that does not decode raises its `:validation` `Error`; the events before
  it were answered). A status is `{:error, error}` as for any call; the plan gives the endpoint
  no retry policy, so it is never sent twice.
  """
  @spec call_stream(t(), String.t(), keyword()) :: result(Enumerable.t())
  def call_stream(%__MODULE__{} = client, endpoint_id, opts) do
    type = Keyword.fetch!(opts, :decode)

    with {:ok, response} <- send(client, Spec.endpoint(endpoint_id), opts) do
      {:ok, Stream.map(SSE.events(response.body), &decode_event!(&1, type))}
    end
  end

  defp decode_event!(event, type) do
    case decode_response(%{body: event.data}, type) do
      {:ok, value} -> value
      {:error, error} -> raise error
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

  @doc """
  Sends a request that answers a future; its request id. How to send it again is kept (in the
  calling process) for `await_future/4`, which re-runs the call if the promise expires.
  """
  @spec submit(t(), String.t(), keyword()) :: result(String.t())
  def submit(%__MODULE__{} = client, endpoint_id, opts \\ []) do
    with {:ok, request_id} <- send_submit(client, endpoint_id, opts) do
      Process.put({__MODULE__, :resubmit, request_id}, fn ->
        send_submit(client, endpoint_id, opts)
      end)

      {:ok, request_id}
    end
  end

  defp send_submit(client, endpoint_id, opts) do
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
    endpoint = endpoint_id |> Spec.endpoint() |> QueueObserver.keyed(client.state)
    resubmit = Process.delete({__MODULE__, :resubmit, request_id})
    Poll.poll(client.context, endpoint.futures, request_id, type, endpoint, resubmit)
  end

  @doc """
  Runs `fun` in the client's lane of an `ordered` counter: once every call that entered the lane
  before has left it, so the requests that read the counter inside `fun` leave in counter order,
  one at a time until the server answered. The lane is left however `fun` ends.
  """
  @spec in_lane(t(), atom(), (() -> result)) :: result when result: term()
  def in_lane(%__MODULE__{pid: pid}, counter, fun) when is_pid(pid) do
    :ok = GenServer.call(pid, {:__lane_enter__, counter}, :infinity)

    try do
      fun.()
    after
      GenServer.call(pid, {:__lane_leave__, counter}, :infinity)
    end
  end

  @doc "Polls a future submitted in a lane (`in_lane/3` around `submit/3`); its result as `type`."
  @spec await_submitted(t(), String.t(), result(String.t()), term()) :: result(term())
  def await_submitted(%__MODULE__{} = client, endpoint_id, submitted, type) do
    with {:ok, request_id} <- submitted do
      await_future(client, endpoint_id, request_id, type)
    end
  end

  @doc "Submits and polls at once: the future's result (submitted again if its promise expires)."
  @spec call_future(t(), String.t(), keyword()) :: result(term())
  def call_future(%__MODULE__{} = client, endpoint_id, opts) do
    with {:ok, request_id} <- send_submit(client, endpoint_id, opts) do
      poll_resubmitting(client, endpoint_id, request_id, opts)
    end
  end

  defp poll_resubmitting(client, endpoint_id, request_id, opts) do
    endpoint = endpoint_id |> Spec.endpoint() |> QueueObserver.keyed(client.state)
    resubmit = fn -> send_submit(client, endpoint_id, opts) end
    type = Keyword.fetch!(opts, :decode)
    Poll.poll(client.context, endpoint.futures, request_id, type, endpoint, resubmit)
  end

  @doc """
  Submits now (so requests leave in the order of the calls) and polls in a task: `{:ok, task}`,
  the task's result being the future's. A failed submission is the task's result too.
  """
  @spec future_task(t(), String.t(), keyword()) :: {:ok, Task.t()}
  def future_task(%__MODULE__{} = client, endpoint_id, opts) do
    case send_submit(client, endpoint_id, opts) do
      {:ok, request_id} ->
        {:ok, Task.async(fn -> poll_resubmitting(client, endpoint_id, request_id, opts) end)}

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
    headers = header_values(Keyword.get(opts, :headers, %{}))
    path = Keyword.get(opts, :path, %{})
    deliver(client, endpoint, path, Keyword.get(opts, :query, %{}), body, headers)
  end

  # One logical request with the call's options applied (`handle/2` gathered them).
  defp deliver(client, endpoint, path, query, body, headers) do
    endpoint = profiled(endpoint, client.context.config)

    with {:ok, endpoint, query, body, headers} <-
           apply_options(client.request_options, endpoint, query, body, headers),
         request_opts = [path: path, query: query, body: body, headers: headers],
         {:ok, response} <- Request.send(client.context, endpoint, request_opts) do
      # for `with_raw_response/1`
      case Process.get(@raw_key) do
        seen when is_list(seen) -> Process.put(@raw_key, [response | seen])
        nil -> :ok
      end

      {:ok, response}
    end
  end

  @doc """
  Runs `fun` (one call in this process) and answers its value with the status, headers and
  request id of its own request's response (the first it sent), or the call's error.
  """
  @spec with_raw_response((() -> result(term()))) :: result(map())
  def with_raw_response(fun) when is_function(fun, 0) do
    previous = Process.put(@raw_key, [])

    try do
      result = fun.()

      case {result, Enum.reverse(Process.get(@raw_key, []))} do
        {{:ok, value}, [first | _]} ->
          request_id = Request.header(first.headers, "x-request-id")

          {:ok,
           %{value: value, status: first.status, headers: first.headers, request_id: request_id}}

        {{:ok, _value}, []} ->
          {:error, argument_error("with_raw_response: the call sent no request of its own")}

        {error, _seen} ->
          error
      end
    after
      if previous == nil, do: Process.delete(@raw_key), else: Process.put(@raw_key, previous)
    end
  end

  # The chosen profile's retry count (a config option's `profiles:`) for the endpoints of the
  # policy the profiles name; a call's `:max_retries`, applied after, still wins.
  defp profiled(%{retry: %{profiled: true} = retry} = endpoint, %{max_retries: n})
       when is_integer(n),
       do: %{endpoint | retry: %{retry | max_retries: n}}

  defp profiled(endpoint, _config), do: endpoint

  defp apply_options([], endpoint, query, body, headers),
    do: {:ok, endpoint, query, body, headers}

  defp apply_options(options, endpoint, query, body, headers) do
    case Keyword.keys(options) -- @request_options do
      [] ->
        apply_known(options, endpoint, query, body, headers)

      unknown ->
        {:error, argument_error("unknown request option(s) #{inspect(unknown)}")}
    end
  end

  defp apply_known(options, endpoint, query, body, headers) do
    extra_body = options[:body]

    cond do
      extra_body not in [nil, %{}] and body != nil and not is_map(body) ->
        {:error,
         argument_error("#{endpoint.id}: request_options[:body] needs a JSON object body")}

      options[:idempotency_key] != nil and endpoint.idempotency_header == nil ->
        {:error, argument_error("#{endpoint.id} sends no idempotency key")}

      true ->
        endpoint =
          case {options[:max_retries], endpoint.retry} do
            {n, %{} = retry} when is_integer(n) and n >= 0 ->
              %{endpoint | retry: %{retry | max_retries: n}}

            _ ->
              endpoint
          end

        query = Map.merge(query, stringify(options[:query]))

        body =
          if extra_body in [nil, %{}],
            do: body,
            else: Map.merge(body || %{}, stringify(extra_body))

        # the caller's key replaces the generated one on every retry; then the extra headers
        key =
          if options[:idempotency_key],
            do: [{endpoint.idempotency_header, options[:idempotency_key]}],
            else: []

        extra = for {k, v} <- options[:headers] || %{}, do: {to_string(k), to_string(v)}
        {:ok, endpoint, query, body, headers ++ key ++ extra}
    end
  end

  defp stringify(nil), do: %{}
  defp stringify(map), do: Map.new(map, fn {k, v} -> {to_string(k), v} end)

  defp argument_error(message),
    do: Error.new(:validation, message, data: %{reason: :argument})

  # Header parameters as header values: absent (nil) ones left out, anything else as its text
  # (`true`/`false`, an enum's value).
  defp header_values(headers) do
    for {name, value} <- headers, value != nil, do: {name, header_text(value)}
  end

  defp header_text(value) when is_binary(value), do: value
  defp header_text(value) when is_atom(value), do: Atom.to_string(value)
  defp header_text(value), do: to_string(value)

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

  # -- the stateless endpoint layer ---------------------------------------------------------------

  @doc """
  The handle a stateless function (`API.<Group>.<fun>`, `API.post/3`, ...) calls through: from
  `:config` (a `Config`: a context of its own, without a session; neither option: `Config.new/0`)
  or `:client` (an SDK client or a handle: its configuration, connections and session), with the
  call's `:request_options` and `:timeout` over the client's (or the configuration's) defaults.
  An unknown option, or both `:config` and `:client`, raises `ArgumentError`.
  """
  @spec stateless(keyword(), String.t()) :: t()
  def stateless(opts, function) do
    check_options!(opts, [:config, :client], function)

    base =
      case {Keyword.get(opts, :config), Keyword.get(opts, :client)} do
        {%Config{} = config, nil} ->
          %__MODULE__{context: Context.new(config)}

        # neither: a configuration from the environment and defaults, as `Config.new/0` makes
        # (raising as it does on an invalid one), like the other SDKs' client of the call's own
        {nil, nil} ->
          %__MODULE__{context: Context.new(Config.new())}

        {nil, client} ->
          handle(client)

        {config, nil} ->
          raise ArgumentError,
                "#{function}: `config:` must be a #{inspect(Config)}, got: #{inspect(config)}"

        _both ->
          raise ArgumentError, "#{function}: give `config:` or `client:`, not both"
      end

    # a client's handle carries its call's options already; a bare one the configuration's
    defaults =
      if base.request_options == [],
        do: base.context.config.request_options,
        else: base.request_options

    with_call_options(base, defaults, Keyword.drop(opts, [:config, :client]))
  end

  @doc """
  The parameters of a stateless call as a map: `request` is a map or keyword list by parameter
  name (or a struct: its fields). A name not in `known`, or one of `required` missing, raises
  `ArgumentError` before any request.
  """
  @spec params!(term(), [atom()], [atom()], String.t()) :: map()
  def params!(request, known, required, function) do
    params = request_map(request, function)

    case Map.keys(params) -- known do
      [] ->
        :ok

      unknown ->
        raise ArgumentError,
              "#{function}: unknown parameter(s) #{Enum.map_join(unknown, ", ", &inspect/1)} " <>
                "(known: #{Enum.map_join(known, ", ", &inspect/1)})"
    end

    case required -- Map.keys(params) do
      [] ->
        params

      missing ->
        raise ArgumentError,
              "#{function}: missing parameter(s) #{Enum.map_join(missing, ", ", &inspect/1)}"
    end
  end

  defp request_map(%{__struct__: _} = struct, _function), do: Map.from_struct(struct)
  defp request_map(map, _function) when is_map(map), do: map

  defp request_map(list, function) when is_list(list) do
    if Keyword.keyword?(list),
      do: Map.new(list),
      else: raise(ArgumentError, "#{function}: the request must be a map or keyword list")
  end

  defp request_map(other, function),
    do:
      raise(
        ArgumentError,
        "#{function}: the request must be a map or keyword list, got: #{inspect(other)}"
      )

  @doc """
  The request record of a stateless call: `request` itself when it is a `module` struct, else
  the struct made from a map or keyword list of its fields; anything else, or a field the record
  does not have, raises `ArgumentError`.
  """
  @spec record!(term(), module(), String.t()) :: struct()
  def record!(%{__struct__: module} = struct, module, _function), do: struct

  def record!(request, module, function)
      when (is_map(request) and not is_struct(request)) or is_list(request) do
    Codec.new(module, request_map(request, function))
  rescue
    error in ArgumentError ->
      reraise ArgumentError, "#{function}: #{error.message}", __STACKTRACE__
  end

  def record!(other, module, function),
    do:
      raise(
        ArgumentError,
        "#{function}: the request must be a %#{inspect(module)}{} or a map of its fields, " <>
          "got: #{inspect(other)}"
      )

  @doc """
  A raw request (`API.post/3`, `get/2`, `put/3`, `delete/2`): `path` under the base URL, `body`
  any JSON term (nil: none), through the runtime as every call (auth header, retries, idempotency
  key, telemetry, the per-call options); the decoded JSON answered (nil for an empty body).
  """
  @spec raw(atom(), String.t(), term(), keyword(), String.t()) :: result(term())
  def raw(method, path, body, opts, function) do
    client = stateless(opts, function)

    # (a `{` would be read as a template variable: a raw path is sent as it is given)
    if raw_path?(path) do
      endpoint = %{Spec.raw_endpoint(method) | path: path}
      json = if body == nil, do: nil, else: Codec.encode(body, :any)

      with {:ok, response} <- deliver(client, endpoint, %{}, %{}, json, []) do
        case response.body do
          "" -> {:ok, nil}
          text -> decode_json(text)
        end
      end
    else
      bad_raw_path(path, function)
    end
  end

  @doc """
  A raw streaming GET (`API.stream_get/2`): `path` under the base URL, through the runtime as
  `raw/5` sends a GET, but asking for `text/event-stream` and never retried (as a streaming
  endpoint); once the whole body is read, `{:ok, stream}` of its server-sent events' data decoded
  as JSON when the stream reaches them (data that is not JSON raises the `:validation` `Error`).
  """
  @spec raw_stream(String.t(), keyword(), String.t()) :: result(Enumerable.t())
  def raw_stream(path, opts, function) do
    client = stateless(opts, function)

    if raw_path?(path) do
      endpoint = %{
        Spec.raw_endpoint(:get)
        | path: path,
          retry: nil,
          headers: [{"Accept", "text/event-stream"}]
      }

      with {:ok, response} <- deliver(client, endpoint, %{}, %{}, nil, []) do
        {:ok, Stream.map(SSE.events(response.body), &decode_event!(&1, :any))}
      end
    else
      bad_raw_path(path, function)
    end
  end

  # a raw request's path: under the base URL, so starting with /, and sent as written (no template)
  defp raw_path?(path),
    do: is_binary(path) and String.starts_with?(path, "/") and not String.contains?(path, "{")

  defp bad_raw_path(path, function) do
    {:error,
     argument_error(
       "#{function}: the path must be a string starting with / (without `{`), got: #{inspect(path)}"
     )}
  end

  defp decode_json(text) do
    case JSON.decode(text) do
      {:ok, term} ->
        {:ok, term}

      {:error, _} ->
        {:error, invalid_response("the response body is not JSON", String.slice(text, 0, 1000))}
    end
  end

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
    with :ok <- Config.known_options(opts, module.__client__().state),
         {:ok, config} <- Config.build(Keyword.take(opts, Config.options())) do
      state = Map.new(Keyword.take(opts, module.__client__().state))
      # a new family: it fetches the server's configuration now, as a client process does
      ctx = Context.fetch_server_config(Context.new(config))
      {:ok, struct(module, Map.merge(state, %{config: config, context: ctx}))}
    end
  end
end
