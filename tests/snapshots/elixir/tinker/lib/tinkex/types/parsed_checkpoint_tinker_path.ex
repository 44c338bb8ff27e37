defmodule Tinkex.Types.ParsedCheckpointTinkerPath do
  @moduledoc """
  The parts of a checkpoint's tinker:// path.
  """

  alias Tinkex.Error
  alias Tinkex.Runtime.Codec

  defstruct training_run_id: nil, checkpoint_id: nil

  @type t :: %__MODULE__{training_run_id: String.t(), checkpoint_id: String.t()}

  @fields [
    {:training_run_id, "training_run_id", :string, :required},
    {:checkpoint_id, "checkpoint_id", :string, :required}
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
  Splits `text` by `tinker://{training_run_id}/{+checkpoint_id}` into the struct: `{:ok, struct}`,
  or `{:error, %Error{}}` of kind `:invalid_argument` when the text does not match.
  """
  @spec from_tinker_path(String.t()) :: {:ok, t()} | {:error, Error.t()}
  def from_tinker_path(text) do
    Codec.parse_template(__MODULE__, "tinker://{training_run_id}/{+checkpoint_id}", text)
  end

  @doc """
  The checkpoint's part of the path, `weights/<id>` or `sampler_weights/<id>`. A union item
  without the field read is an `:invalid_argument` error (raised).
  """
  @spec checkpoint_segment(t()) :: String.t()
  def checkpoint_segment(%__MODULE__{} = value), do: Codec.project(value, [:checkpoint_id])
end
