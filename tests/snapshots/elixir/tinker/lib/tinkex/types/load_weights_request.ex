defmodule Tinkex.Types.LoadWeightsRequest do
  @moduledoc """
  The `LoadWeightsRequest` type of the tinker API.
  """

  alias Tinkex.Runtime.Codec
  alias Tinkex.Types.ModelID
  alias Tinkex.Types.OptimizerConfig

  defstruct model_id: nil,
            seq_id: nil,
            session_id: nil,
            model_seq_id: nil,
            base_model: nil,
            user_metadata: nil,
            path: nil,
            optimizer: nil,
            optimizer_config: nil,
            weights_access_token: nil,
            type: "load_weights"

  @type t :: %__MODULE__{
          model_id: ModelID.t() | nil,
          seq_id: integer() | nil,
          session_id: String.t() | nil,
          model_seq_id: integer() | nil,
          base_model: String.t() | nil,
          user_metadata: %{optional(String.t()) => term()} | nil,
          path: String.t(),
          optimizer: boolean(),
          optimizer_config: OptimizerConfig.t() | nil,
          weights_access_token: String.t() | nil,
          type: String.t()
        }

  @fields [
    {:model_id, "model_id", {:nullable, ModelID}, :optional},
    {:seq_id, "seq_id", {:nullable, :integer}, :optional},
    {:session_id, "session_id", {:nullable, :string}, :optional},
    {:model_seq_id, "model_seq_id", {:nullable, :integer}, :optional},
    {:base_model, "base_model", {:nullable, :string}, :optional},
    {:user_metadata, "user_metadata", {:nullable, {:map, :any}}, :optional},
    {:path, "path", :string, :required},
    {:optimizer, "optimizer", :boolean, :required},
    {:optimizer_config, "optimizer_config", {:nullable, OptimizerConfig}, :optional},
    {:weights_access_token, "weights_access_token", {:nullable, :string}, :optional},
    {:type, "type", {:literal, "load_weights"}, :optional}
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

  @doc """
  A legacy-addressed load of the weights at `path` into model `model_id` (Tinkex's positional
  form); options `seq_id` and `optimizer` (whether to load the optimizer state too; false).
  Invalid values are an `:invalid_argument` error (raised). Options: `:seq_id`, `:optimizer`
  (default `false`) (an unknown one is an `ArgumentError`).
  """
  @spec new(ModelID.t(), String.t(), keyword()) :: t()
  def new(model_id, path, opts \\ []) do
    opts = Keyword.validate!(opts, [:seq_id, optimizer: false])

    Codec.construct(
      __MODULE__,
      %{
        "model_id" => Codec.encode(model_id, {:nullable, ModelID}),
        "path" => Codec.encode(path, :string),
        "seq_id" => Codec.encode(opts[:seq_id], {:nullable, :integer}),
        "optimizer" => Codec.encode(opts[:optimizer], :boolean)
      }
    )
  end
end
