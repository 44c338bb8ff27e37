defmodule Vault.Future do
  @moduledoc """
  Server-side futures.

  An operation whose result the server computes later answers a handle; a client function that
  returns `{:ok, task}` polls it in that `Task`. `Task.await(task, :infinity)` (or `await/2`)
  gives `{:ok, result}` or `{:error, %Vault.Error{}}`. `poll/2` polls a request id you hold.
  """

  alias Vault.Config
  alias Vault.Error
  alias Vault.Runtime.Context
  alias Vault.Runtime.Poll
  alias Vault.Spec

  @type poll_result :: {:ok, term()} | {:error, Error.t()}

  @doc """
  Polls the future `request_id` (or a handle map holding it) in a task. Options: `:config` (a
  `Vault.Config`, required), `:feature` (the manifest's futures feature, by default its
  first), `:type` (how to decode the result: a type module; default: the JSON as it is).
  """
  @spec poll(String.t() | map(), keyword()) :: Task.t()
  def poll(request_id, opts) do
    %Config{} = config = Keyword.fetch!(opts, :config)
    futures = Spec.futures(Keyword.get(opts, :feature))
    id = request_id_of(request_id, futures.request_id_field)
    type = Keyword.get(opts, :type, :any)
    Task.async(fn -> Poll.poll(Context.new(config), futures, id, type) end)
  end

  defp request_id_of(id, _field) when is_binary(id), do: id

  defp request_id_of(%{} = handle, field),
    do: Map.get(handle, field) || Map.get(handle, String.to_existing_atom(field))

  @doc "The result of a polling task; a task that does not finish in time is an `:api_timeout` error."
  @spec await(Task.t(), timeout()) :: poll_result()
  def await(%Task{} = task, timeout \\ :infinity) do
    case Task.yield(task, timeout) || Task.shutdown(task) do
      {:ok, result} ->
        result

      {:exit, reason} ->
        {:error, Error.new(:request_failed, "the polling task failed: #{inspect(reason)}")}

      nil ->
        {:error, Error.new(:api_timeout, "the future did not complete within #{timeout} ms")}
    end
  end

  @doc "The results of several polling tasks, in order."
  @spec await_many([Task.t()], timeout()) :: [poll_result()]
  def await_many(tasks, timeout \\ :infinity), do: Enum.map(tasks, &await(&1, timeout))
end
