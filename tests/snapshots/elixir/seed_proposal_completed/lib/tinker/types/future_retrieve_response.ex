defmodule Tinker.Types.FutureRetrieveResponse do
  @moduledoc """
  The `FutureRetrieveResponse` type of the tinker API.
  """

  alias Tinker.Runtime.Codec
  alias Tinker.Types.CreateModelResponse
  alias Tinker.Types.LoadStateResponse
  alias Tinker.Types.TryAgain

  @type t :: TryAgain.t() | CreateModelResponse.t() | LoadStateResponse.t()

  @target {:one_of, [TryAgain, CreateModelResponse, LoadStateResponse]}

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
