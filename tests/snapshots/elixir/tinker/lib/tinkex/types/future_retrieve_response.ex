defmodule Tinkex.Types.FutureRetrieveResponse do
  @moduledoc """
  One answer of /api/v1/retrieve_future.
  """

  alias Tinkex.Runtime.Codec
  alias Tinkex.Types.CreateCustomLossResponse
  alias Tinkex.Types.CreateModelResponse
  alias Tinkex.Types.ForwardBackwardOutput
  alias Tinkex.Types.LoadWeightsResponse
  alias Tinkex.Types.OptimStepResponse
  alias Tinkex.Types.RequestFailedResponse
  alias Tinkex.Types.RetrieveFutureMetadataOnlyResponse
  alias Tinkex.Types.SampleResponse
  alias Tinkex.Types.SaveWeightsExternalResponseInternal
  alias Tinkex.Types.SaveWeightsForSamplerResponse
  alias Tinkex.Types.SaveWeightsResponse
  alias Tinkex.Types.TryAgainResponse
  alias Tinkex.Types.UnloadModelResponse

  @type t ::
          TryAgainResponse.t()
          | RetrieveFutureMetadataOnlyResponse.t()
          | RequestFailedResponse.t()
          | CreateModelResponse.t()
          | LoadWeightsResponse.t()
          | SaveWeightsResponse.t()
          | SaveWeightsForSamplerResponse.t()
          | SaveWeightsExternalResponseInternal.t()
          | OptimStepResponse.t()
          | UnloadModelResponse.t()
          | CreateCustomLossResponse.t()
          | ForwardBackwardOutput.t()
          | SampleResponse.t()

  @target {
    :one_of,
    [
      TryAgainResponse,
      RetrieveFutureMetadataOnlyResponse,
      RequestFailedResponse,
      CreateModelResponse,
      LoadWeightsResponse,
      SaveWeightsResponse,
      SaveWeightsForSamplerResponse,
      SaveWeightsExternalResponseInternal,
      OptimStepResponse,
      UnloadModelResponse,
      CreateCustomLossResponse,
      ForwardBackwardOutput,
      SampleResponse
    ]
  }

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
