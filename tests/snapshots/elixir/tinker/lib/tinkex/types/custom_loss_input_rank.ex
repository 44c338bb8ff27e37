defmodule Tinkex.Types.CustomLossInputRank do
  @moduledoc """
  A custom loss input's rank: 0 is a scalar, 1 is `[T]` and 2 is `[T, K]`.
  """

  alias Tinkex.Runtime.Codec

  @type t :: 0 | 1 | 2

  @target {:one_of, [{:literal, 0}, {:literal, 1}, {:literal, 2}]}

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
