defmodule Shapes.Runtime.Chunks do
  @moduledoc false
  # Chunked calls: a flow step's `chunk:` (the SDK plan's ChunkPlan, the same in every tinkc SDK).
  # The list is split in order by item count and estimated size; each chunk's request is built in
  # chunk order (so counters such as `seq_id` number the chunks); the chunks after the first are
  # sent concurrently, then the first (as Tinker's SDK does); the futures are polled concurrently
  # and their results combined in chunk order.

  alias Shapes.Error
  alias Shapes.Runtime.{Client, Codec}

  @type spec :: %{
          input: String.t(),
          item: Codec.type(),
          max_items: pos_integer(),
          max_bytes: pos_integer(),
          combine: [{atom(), :concat | :metrics}]
        }

  @doc """
  Sends the chunks of `items` now and answers `{:ok, task}`, the task polling and combining; an
  item too large for one request, or a failed submission, is the task's result.
  """
  @spec task(Client.t(), String.t(), list(), spec(), Codec.type(), (list() -> keyword())) ::
          {:ok, Task.t()}
  def task(client, endpoint_id, items, spec, decode, request) do
    case submit_all(client, endpoint_id, items, spec, request) do
      {:ok, counts, ids} ->
        {:ok, Task.async(fn -> await_all(client, endpoint_id, counts, ids, spec, decode) end)}

      {:error, error} ->
        {:ok, Task.async(fn -> {:error, error} end)}
    end
  end

  @doc "Sends the chunks of `items`, polls them and answers the combined result."
  @spec call(Client.t(), String.t(), list(), spec(), Codec.type(), (list() -> keyword())) ::
          {:ok, term()} | {:error, Error.t()}
  def call(client, endpoint_id, items, spec, decode, request) do
    with {:ok, counts, ids} <- submit_all(client, endpoint_id, items, spec, request) do
      await_all(client, endpoint_id, counts, ids, spec, decode)
    end
  end

  defp submit_all(client, endpoint_id, items, spec, request) do
    with {:ok, chunks} <- split(items, spec) do
      # built in chunk order: the counters they read number the chunks in order
      [first | later] = Enum.map(chunks, request)
      submit = fn opts -> fn -> Client.submit(client, endpoint_id, opts) end end

      with {:ok, later_ids} <- Client.concurrently(Enum.map(later, submit)),
           {:ok, first_id} <- Client.submit(client, endpoint_id, first) do
        {:ok, Enum.map(chunks, &length/1), [first_id | later_ids]}
      end
    end
  end

  defp await_all(client, endpoint_id, counts, ids, spec, decode) do
    polls =
      Enum.map(ids, fn id -> fn -> Client.await_future(client, endpoint_id, id, decode) end end)

    with {:ok, results} <- Client.concurrently(polls) do
      {:ok, combine(results, counts, spec)}
    end
  end

  @doc """
  The items in order, in chunks of at most `max_items` items and about `max_bytes` bytes; an
  item larger than `max_bytes` alone is an `:invalid_argument` error. An empty list is one chunk.
  """
  @spec split(list(), spec()) :: {:ok, [list()]} | {:error, Error.t()}
  def split(items, spec) do
    items
    |> Enum.with_index()
    |> Enum.reduce_while({[], [], 0, 0}, fn {item, index}, {chunks, current, count, size} ->
      estimate = json_size(Codec.encode(item, spec.item))

      cond do
        estimate > spec.max_bytes ->
          {:halt, {:too_large, index, estimate}}

        count > 0 and (count == spec.max_items or size + estimate > spec.max_bytes) ->
          {:cont, {[Enum.reverse(current) | chunks], [item], 1, estimate}}

        true ->
          {:cont, {chunks, [item | current], count + 1, size + estimate}}
      end
    end)
    |> case do
      {:too_large, index, estimate} ->
        message =
          "item #{index} of `#{spec.input}` is about #{estimate} bytes: " <>
            "more than one request carries (#{spec.max_bytes})"

        {:error, Error.new(:validation, message, data: %{reason: :argument})}

      {chunks, current, _count, _size} ->
        {:ok, Enum.reverse([Enum.reverse(current) | chunks])}
    end
  end

  @doc """
  The estimated size of a JSON term: strings and object keys by their bytes, numbers 8, booleans
  and null 1 (an estimate every SDK computes alike, not the length of one encoding).
  """
  @spec json_size(term()) :: non_neg_integer()
  def json_size(nil), do: 1
  def json_size(value) when is_boolean(value), do: 1
  def json_size(value) when is_number(value), do: 8
  def json_size(value) when is_binary(value), do: byte_size(value)
  def json_size(value) when is_atom(value), do: byte_size(Atom.to_string(value))
  def json_size(value) when is_list(value), do: Enum.reduce(value, 0, &(json_size(&1) + &2))

  def json_size(value) when is_map(value) do
    Enum.reduce(value, 0, fn {key, item}, acc ->
      acc + byte_size(to_string(key)) + json_size(item)
    end)
  end

  def json_size(_value), do: 1

  @doc """
  The chunks' results as one, in chunk order: `:concat` fields joined, `:metrics` fields reduced,
  every other field the first chunk's.
  """
  @spec combine([term()], [non_neg_integer()], spec()) :: term()
  def combine([first], _counts, _spec), do: first

  def combine([first | _] = results, counts, spec) do
    Enum.reduce(spec.combine, first, fn
      {field, :concat}, acc ->
        Map.put(acc, field, Enum.flat_map(results, &(Map.get(&1, field) || [])))

      {field, :metrics}, acc ->
        Map.put(
          acc,
          field,
          reduce_metrics(Enum.map(results, &(Map.get(&1, field) || %{})), counts)
        )
    end)
  end

  @doc """
  Each key of the first chunk's metrics that every chunk has, reduced by the suffix after its last
  `:`: `mean` (weighted), `sum`, `min`, `max`, `slack` (max minus the weighted mean); keys without
  a known suffix are dropped, as Tinker's SDK drops them.
  """
  @spec reduce_metrics([map()], [non_neg_integer()]) :: map()
  def reduce_metrics([first | _] = metrics, weights) do
    total = Enum.sum(weights)

    Enum.reduce(Map.keys(first), %{}, fn key, acc ->
      values = Enum.map(metrics, &Map.get(&1, key))

      case {String.split(key, ":"), Enum.all?(values, &is_number/1)} do
        {[_ | [_ | _] = parts], true} ->
          put_reduced(acc, key, List.last(parts), Enum.map(values, &(&1 * 1.0)), weights, total)

        _ ->
          acc
      end
    end)
  end

  defp put_reduced(acc, key, reduction, values, weights, total) do
    mean =
      if total > 0,
        do: Enum.sum(Enum.zip_with(values, weights, &(&1 * &2))) / total,
        else: Enum.sum(values) / length(values)

    case reduction do
      "mean" -> Map.put(acc, key, mean)
      "sum" -> Map.put(acc, key, Enum.sum(values))
      "min" -> Map.put(acc, key, Enum.min(values))
      "max" -> Map.put(acc, key, Enum.max(values))
      "slack" -> Map.put(acc, key, Enum.max(values) - mean)
      _ -> acc
    end
  end
end
