defmodule HostileSystemHaltProcessExit1.Runtime.Poll do
  @moduledoc false
  # Server-side futures (the manifest's promise_result). The endpoint answered a handle; the result
  # is polled from the retrieve endpoint. Each answer is classified: pending (the try-again marker,
  # or a pending status such as 408) -> tell the queue-state observer when the state changed and
  # poll again; a metadata-only answer (the result is too big to inline) -> poll again asking for
  # the payload; an error field -> a :request_failed error with its category (unknown categories are
  # :unknown); anything else -> the result, decoded as the endpoint's declared type. Transient poll
  # failures (no answer, 429, 5xx) are retried with backoff until the overall timeout. Every poll
  # may carry the submitting endpoint's request type and its 0-based iteration in headers.

  alias HostileSystemHaltProcessExit1.Error
  alias HostileSystemHaltProcessExit1.Runtime.Clock
  alias HostileSystemHaltProcessExit1.Runtime.Codec
  alias HostileSystemHaltProcessExit1.Runtime.Context
  alias HostileSystemHaltProcessExit1.Runtime.Endpoint
  alias HostileSystemHaltProcessExit1.Runtime.Futures
  alias HostileSystemHaltProcessExit1.Runtime.QueueObserver
  alias HostileSystemHaltProcessExit1.Runtime.Request
  alias HostileSystemHaltProcessExit1.Runtime.Retry
  alias HostileSystemHaltProcessExit1.Spec

  @doc """
  Polls the future `request_id` until it resolves; its result decoded as `type`. `endpoint` is
  the endpoint that answered the handle (its queue-state log and request type apply); `resubmit`
  submits the call again (`{:ok, request_id}`) when the promise expired, else that is an error.
  """
  @spec poll(
          Context.t(),
          Futures.t(),
          String.t(),
          Codec.type(),
          Endpoint.t() | nil,
          (() -> {:ok, String.t()} | {:error, Error.t()}) | nil
        ) ::
          {:ok, term()} | {:error, Error.t()}
  def poll(
        %Context{} = ctx,
        %Futures{} = spec,
        request_id,
        type,
        endpoint \\ nil,
        resubmit \\ nil
      ) do
    loop(%{
      resubmit: resubmit,
      resubmits: 0,
      bounded: 0,
      billing_since: nil,
      ctx: ctx,
      spec: spec,
      request_id: request_id,
      type: type,
      observer: QueueObserver.for(ctx, endpoint),
      deadline: spec.timeout_ms && Clock.now() + Clock.scaled(ctx.config, spec.timeout_ms),
      failures: 0,
      last: nil,
      iteration: 0,
      metadata_only: spec.metadata_only_field != nil,
      request_type: endpoint && endpoint.request_type
    })
  end

  defp loop(%{deadline: deadline} = poll) when is_integer(deadline) do
    if Clock.now() >= deadline,
      do:
        {:error,
         Error.new(:api_timeout, "the future #{poll.request_id} did not complete in time")},
      else: attempt(poll)
  end

  defp loop(poll), do: attempt(poll)

  defp attempt(%{ctx: ctx, spec: spec} = poll) do
    {body, headers} = poll_request(poll)
    poll = %{poll | iteration: poll.iteration + 1}

    case Request.send(ctx, retrieve_endpoint(spec), body: body, headers: headers) do
      {:ok, response} ->
        case classify(spec, Request.parse_body(response.body)) do
          {:pending, state, reason} -> poll |> pending(state, reason) |> loop()
          :metadata_only -> loop(%{poll | metadata_only: false, failures: 0})
          {:failed, error} -> {:error, error}
          {:done, data} -> decode(data, poll.type)
        end

      {:error, %Error{type: :api_status, status: status} = error} ->
        cond do
          Retry.in_ranges?(spec.pending_statuses, status) ->
            {:pending, state, reason} = pending_of(spec, error.data)
            poll |> pending(state, reason) |> loop()

          Retry.in_ranges?(spec.expired_statuses, status) ->
            resubmit(poll, error)

          Retry.in_ranges?(spec.billing_statuses, status) ->
            billing_pause(poll, error)

          Retry.in_ranges?(spec.bounded_retry_statuses, status) ->
            if poll.bounded >= spec.bounded_retries,
              do: {:error, error},
              else: %{poll | bounded: poll.bounded + 1} |> backoff() |> loop()

          status == 429 or status >= 500 ->
            poll |> backoff() |> loop()

          true ->
            {:error, error}
        end

      {:error, %Error{type: type}} when type in [:api_connection, :api_timeout] ->
        poll |> backoff() |> loop()

      {:error, error} ->
        {:error, error}
    end
  end

  # the promise expired: submit the call again and poll the new future, while resubmits are left
  defp resubmit(%{resubmit: nil}, error), do: {:error, error}

  defp resubmit(%{spec: spec} = poll, error) do
    if poll.resubmits >= spec.expired_resubmits do
      {:error, error}
    else
      case poll.resubmit.() do
        {:ok, request_id} ->
          loop(%{
            poll
            | request_id: request_id,
              resubmits: poll.resubmits + 1,
              iteration: 0,
              metadata_only: spec.metadata_only_field != nil,
              last: nil
          })

        {:error, _} = failed ->
          failed
      end
    end
  end

  # a billing pause: poll again after the delay while the pause is shorter than its maximum
  defp billing_pause(%{spec: spec, ctx: ctx} = poll, error) do
    now = Clock.now()
    since = poll.billing_since || now

    if now - since >= Clock.scaled(ctx.config, spec.billing_max_pause_ms) do
      {:error, error}
    else
      Clock.sleep(ctx.config, spec.billing_delay_ms)
      loop(%{poll | billing_since: since})
    end
  end

  # the body and headers of the next poll
  defp poll_request(%{spec: spec} = poll) do
    body = %{spec.request_id_field => poll.request_id}

    body =
      if spec.metadata_only_field,
        do: Map.put(body, spec.metadata_only_field, poll.metadata_only),
        else: body

    type =
      if spec.request_type_header && poll.request_type,
        do: [{spec.request_type_header, poll.request_type}],
        else: []

    iteration =
      if spec.iteration_header,
        do: [{spec.iteration_header, Integer.to_string(poll.iteration)}],
        else: []

    {body, type ++ iteration}
  end

  # the manifest's retrieve endpoint by id (a test may give the endpoint itself)
  defp retrieve_endpoint(%Futures{retrieve: %Endpoint{} = endpoint}), do: endpoint
  defp retrieve_endpoint(%Futures{retrieve: id}), do: Spec.endpoint(id)

  @doc "What one answer of the retrieve endpoint means."
  @spec classify(Futures.t(), term()) ::
          {:pending, atom(), String.t() | nil}
          | :metadata_only
          | {:failed, Error.t()}
          | {:done, term()}
  def classify(%Futures{} = spec, body) when is_map(body) do
    cond do
      Map.get(body, spec.try_again_field) == spec.try_again_value ->
        pending_of(spec, body)

      spec.metadata_only_field != nil and
          Map.get(body, spec.metadata_status_field) == spec.metadata_status_value ->
        :metadata_only

      Map.get(body, spec.error_field) != nil ->
        {:failed, failed(spec, body)}

      spec.result_field != nil and Map.has_key?(body, spec.result_field) ->
        {:done, Map.fetch!(body, spec.result_field)}

      true ->
        {:done, body}
    end
  end

  def classify(_spec, body), do: {:done, body}

  defp failed(spec, body) do
    raw = Map.get(body, spec.category_field)
    category = if raw in spec.categories, do: String.to_atom(raw), else: :unknown
    detail = Map.get(body, spec.error_field)

    message =
      "the request failed (#{category}): #{if is_binary(detail), do: detail, else: inspect(detail)}"

    Error.new(:request_failed, message, category: category, data: body)
  end

  @doc "The queue state (an atom; `:unknown` for a state the manifest does not list) and reason."
  @spec pending_of(Futures.t(), term()) :: {:pending, atom(), String.t() | nil}
  def pending_of(%Futures{} = spec, body) do
    raw = if is_map(body) and spec.queue_state_field, do: Map.get(body, spec.queue_state_field)
    state = if raw in spec.queue_states, do: String.to_atom(raw), else: :unknown

    reason =
      if is_map(body) and spec.queue_state_reason_field,
        do: Map.get(body, spec.queue_state_reason_field)

    {:pending, state, if(is_binary(reason), do: reason, else: nil)}
  end

  defp pending(poll, state, reason) do
    if {state, reason} != poll.last do
      QueueObserver.notify(poll.observer, state, %{
        queue_state_reason: reason,
        request_id: poll.request_id
      })
    end

    %{poll | last: {state, reason}, failures: 0}
  end

  defp backoff(%{spec: spec, ctx: ctx} = poll) do
    delay =
      Retry.backoff(
        poll.failures,
        spec.transient_base_ms,
        spec.transient_max_ms,
        spec.transient_jitter,
        Clock.rand()
      )

    Clock.sleep(ctx.config, delay)
    %{poll | failures: poll.failures + 1}
  end

  defp decode(data, type) do
    case Codec.decode(data, type) do
      {:ok, value} ->
        {:ok, value}

      {:error, problem} ->
        message =
          "the future's result does not have the declared shape: #{Codec.describe(problem)}"

        {:error, Error.new(:validation, message, data: %{reason: :response, body: data})}
    end
  end
end
