defmodule Tinkex.Types.AdamParams do
  @moduledoc """
  The `AdamParams` type of the tinker API.
  """

  alias Tinkex.Runtime.Codec

  defstruct learning_rate: 0.0001,
            beta1: 0.9,
            beta2: 0.95,
            eps: 1.0e-12,
            weight_decay: 0.0,
            grad_clip_norm: 0.0

  @type t :: %__MODULE__{
          learning_rate: float(),
          beta1: float(),
          beta2: float(),
          eps: float(),
          weight_decay: float(),
          grad_clip_norm: float()
        }

  @fields [
    {:learning_rate, "learning_rate", :float, :optional},
    {:beta1, "beta1", :float, :optional},
    {:beta2, "beta2", :float, :optional},
    {:eps, "eps", :float, :optional},
    {:weight_decay, "weight_decay", :float, :optional},
    {:grad_clip_norm, "grad_clip_norm", :float, :optional}
  ]

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
end
