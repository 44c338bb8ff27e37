defmodule Tinkex.Types.GetInfoResponse do
  @moduledoc """
  Response containing information about a training client's model.
  """

  alias Tinkex.Runtime.Codec
  alias Tinkex.Types.AdamOptimizerConfig
  alias Tinkex.Types.ModelData
  alias Tinkex.Types.ModelID
  alias Tinkex.Types.OptimizerConfig

  defstruct type: nil,
            model_data: nil,
            model_id: nil,
            optimizer_config: %AdamOptimizerConfig{type: "adamw"},
            is_lora: nil,
            lora_rank: nil,
            model_name: nil

  @type t :: %__MODULE__{
          type: String.t() | nil,
          model_data: ModelData.t(),
          model_id: ModelID.t(),
          optimizer_config: OptimizerConfig.t(),
          is_lora: boolean() | nil,
          lora_rank: integer() | nil,
          model_name: String.t() | nil
        }

  @fields [
    {:type, "type", {:nullable, {:literal, "get_info"}}, :optional},
    {:model_data, "model_data", ModelData, :required},
    {:model_id, "model_id", ModelID, :required},
    {:optimizer_config, "optimizer_config", OptimizerConfig, :optional},
    {:is_lora, "is_lora", {:nullable, :boolean}, :optional},
    {:lora_rank, "lora_rank", {:nullable, :integer}, :optional},
    {:model_name, "model_name", {:nullable, :string}, :optional}
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
