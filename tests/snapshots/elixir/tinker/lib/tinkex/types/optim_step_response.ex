defmodule Tinkex.Types.OptimStepResponse do
  @moduledoc """
  The `OptimStepResponse` type of the tinker API.
  """

  alias Tinkex.Runtime.Codec

  defstruct metrics: nil

  @type t :: %__MODULE__{metrics: %{optional(String.t()) => float()} | nil}

  @fields [{:metrics, "metrics", {:nullable, {:map, :float}}, :optional}]

  @doc false
  def __type__, do: {:record, @fields}

  @doc "Builds the struct from a keyword list or map (field names or wire names as keys)."
  @spec new(keyword() | map()) :: t()
  def new(attrs \\ []), do: Codec.new(__MODULE__, attrs)

  @doc "Decodes the JSON form (a map with wire names as keys)."
  @spec decode(term()) :: {:ok, t()} | {:error, Codec.error()}
  def decode(json), do: Codec.decode(json, __MODULE__)

  @doc "Like `decode/1`; raises `ArgumentError` when the JSON does not fit."
  @spec from_json(map()) :: t()
  def from_json(json), do: Codec.decode!(json, __MODULE__)

  @doc "Same as `from_json/1`."
  @spec from_map(map()) :: t()
  def from_map(map), do: from_json(map)

  @doc "The JSON form: wire names as keys, optional fields left out when nil."
  @spec to_json(t()) :: map()
  def to_json(struct), do: Codec.encode(struct, __MODULE__)

  @doc "Same as `to_json/1` (the map `from_map/1` reads back)."
  @spec to_map(t()) :: map()
  def to_map(struct), do: to_json(struct)

  @doc """
  Always true, as in Tinkex (a failed step is an error, never a response).
  """
  @spec success?(t()) :: boolean()
  def success?(%__MODULE__{} = value), do: Codec.evaluate(value, {:const, true})
end
