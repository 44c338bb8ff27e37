defmodule Studio.Types.JobAnswer do
  @moduledoc """
  The `JobAnswer` type of the studio API.
  """

  alias Studio.Runtime.Codec
  alias Studio.Types.Loaded
  alias Studio.Types.Metrics
  alias Studio.Types.Pending

  @type t :: Loaded.t() | Pending.t() | Metrics.t()

  @target {:one_of, [Loaded, Pending, Metrics]}

  @doc false
  def __type__, do: {:alias, @target}

  @doc "Decodes the JSON form."
  @spec decode(term()) :: {:ok, t()} | {:error, Codec.error()}
  def decode(json), do: Codec.decode(json, __MODULE__)

  @doc "Like `decode/1`; raises `ArgumentError` when the JSON does not fit."
  @spec from_json(term()) :: t()
  def from_json(json), do: Codec.decode!(json, __MODULE__)

  @doc "The JSON form."
  @spec to_json(t()) :: term()
  def to_json(value), do: Codec.encode(value, __MODULE__)
end
