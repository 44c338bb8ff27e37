defmodule Tinkex.TrainingClient.DataProcessor do
  @moduledoc """
  Splits data as `Tinkex.TrainingClient` does before sending it.
  """

  alias Tinkex.Runtime.Chunks
  alias Tinkex.Types.Datum

  @doc """
  The chunks forward_backward splits `data` into (at most 1024 datums and about 5 MB each). At
  most 1024 items and about 5000000 bytes (estimated from the JSON form) a chunk; an item larger
  than that alone raises the `:invalid_argument` error.
  """
  @spec chunk_data([Datum.t()]) :: [[Datum.t()]]
  def chunk_data(items) when is_list(items) do
    spec = %{input: "data", item: Datum, max_items: 1024, max_bytes: 5_000_000, combine: []}

    case Chunks.split(items, spec) do
      {:ok, chunks} -> chunks
      {:error, error} -> raise error
    end
  end
end
