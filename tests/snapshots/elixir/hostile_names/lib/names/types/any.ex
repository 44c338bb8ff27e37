defmodule Names.Types.Any do
  @moduledoc """
  The `Any` type of the names API.

  The first of these types that the value fits.
  """

  alias Names.Runtime.Codec
  alias Names.Types.Error

  @type t :: Names.Types.String.t() | Error.t()

  @variants [Names.Types.String, Error]

  @doc false
  def __type__, do: {:one_of, @variants}

  @doc "Decodes the JSON form."
  @spec decode(term()) :: {:ok, t()} | {:error, Codec.error()}
  def decode(json), do: Codec.decode(json, __MODULE__)

  @doc "Like `decode/1`; raises `ArgumentError` when the JSON does not fit."
  @spec from_json(term()) :: t()
  def from_json(json), do: Codec.decode!(json, __MODULE__)

  @doc "The JSON form."
  @spec to_json(t()) :: term()
  def to_json(value), do: Codec.encode(value, __MODULE__)

  @doc "Same as `from_json/1`."
  @spec from_map(map()) :: t()
  def from_map(map), do: from_json(map)

  @doc "Same as `to_json/1` (the map `from_map/1` reads back)."
  @spec to_map(t()) :: term()
  def to_map(value), do: to_json(value)
end
