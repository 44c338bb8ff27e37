defmodule Tinkex.Types.GetServerCapabilitiesResponse do
  @moduledoc """
  Response containing the server's supported models and capabilities.
  """

  alias Tinkex.Runtime.Codec
  alias Tinkex.Types.SupportedModel

  defstruct supported_models: nil

  @type t :: %__MODULE__{supported_models: [SupportedModel.t()]}

  @fields [{:supported_models, "supported_models", {:list, SupportedModel}, :required}]

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
  The names of the supported models. A union item without the field read is an `:invalid_argument`
  error (raised).
  """
  @spec model_names(t()) :: [String.t() | nil]
  def model_names(%__MODULE__{} = value) do
    Codec.project(value, [:supported_models, :each, :model_name])
  end
end
