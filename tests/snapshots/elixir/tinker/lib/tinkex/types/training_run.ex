defmodule Tinkex.Types.TrainingRun do
  @moduledoc """
  The `TrainingRun` type of the tinker API.
  """

  alias Tinkex.Runtime.Codec
  alias Tinkex.Types.Checkpoint

  defstruct training_run_id: nil,
            base_model: nil,
            model_owner: nil,
            is_lora: nil,
            corrupted: false,
            lora_rank: nil,
            last_request_time: nil,
            last_checkpoint: nil,
            last_sampler_checkpoint: nil,
            user_metadata: nil

  @type t :: %__MODULE__{
          training_run_id: String.t(),
          base_model: String.t(),
          model_owner: String.t(),
          is_lora: boolean(),
          corrupted: boolean(),
          lora_rank: integer() | nil,
          last_request_time: DateTime.t() | NaiveDateTime.t(),
          last_checkpoint: Checkpoint.t() | nil,
          last_sampler_checkpoint: Checkpoint.t() | nil,
          user_metadata: %{optional(String.t()) => String.t()} | nil
        }

  @fields [
    {:training_run_id, "training_run_id", :string, :required},
    {:base_model, "base_model", :string, :required},
    {:model_owner, "model_owner", :string, :required},
    {:is_lora, "is_lora", :boolean, :required},
    {:corrupted, "corrupted", :boolean, :optional},
    {:lora_rank, "lora_rank", {:nullable, :integer}, :optional},
    {:last_request_time, "last_request_time", :datetime, :required},
    {:last_checkpoint, "last_checkpoint", {:nullable, Checkpoint}, :optional},
    {:last_sampler_checkpoint, "last_sampler_checkpoint", {:nullable, Checkpoint}, :optional},
    {:user_metadata, "user_metadata", {:nullable, {:map, :string}}, :optional}
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
