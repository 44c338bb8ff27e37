defmodule Tinkex.Types.CreateModelRequest do
  @moduledoc """
  The `CreateModelRequest` type of the tinker API.
  """

  alias Tinkex.Runtime.Codec
  alias Tinkex.Types.AdamOptimizerConfig
  alias Tinkex.Types.LoraConfig
  alias Tinkex.Types.OptimizerConfig

  defstruct session_id: nil,
            model_seq_id: nil,
            base_model: nil,
            user_metadata: nil,
            lora_config: nil,
            optimizer_config: %AdamOptimizerConfig{type: "adamw"},
            type: "create_model"

  @type t :: %__MODULE__{
          session_id: String.t(),
          model_seq_id: integer(),
          base_model: String.t(),
          user_metadata: %{optional(String.t()) => term()} | nil,
          lora_config: LoraConfig.t() | nil,
          optimizer_config: OptimizerConfig.t(),
          type: String.t()
        }

  @fields [
    {:session_id, "session_id", :string, :required},
    {:model_seq_id, "model_seq_id", :integer, :required},
    {:base_model, "base_model", :string, :required},
    {:user_metadata, "user_metadata", {:nullable, {:map, :any}}, :optional},
    {:lora_config, "lora_config", {:nullable, LoraConfig}, :optional},
    {:optimizer_config, "optimizer_config", OptimizerConfig, :optional},
    {:type, "type", {:literal, "create_model"}, :optional}
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
