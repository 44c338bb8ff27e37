defmodule Tinkex.Types.SampleRequest do
  @moduledoc """
  The `SampleRequest` type of the tinker API.
  """

  alias Tinkex.Runtime.Codec
  alias Tinkex.Types.ModelInput
  alias Tinkex.Types.SamplingParams
  alias Tinkex.Types.TensorData

  defstruct num_samples: 1,
            prompt: nil,
            sampling_params: nil,
            base_model: nil,
            model_path: nil,
            sampling_session_id: nil,
            seq_id: nil,
            prompt_logprobs: false,
            topk_prompt_logprobs: 0,
            topk_sample_logprobs: 0,
            target_prompt_logprobs: nil,
            prompt_alt_tokens_k: 0,
            prompt_logprobs_last_n: nil,
            record_stability_info: false,
            type: "sample"

  @type t :: %__MODULE__{
          num_samples: integer(),
          prompt: ModelInput.t(),
          sampling_params: SamplingParams.t(),
          base_model: String.t() | nil,
          model_path: String.t() | nil,
          sampling_session_id: String.t() | nil,
          seq_id: integer() | nil,
          prompt_logprobs: boolean() | nil,
          topk_prompt_logprobs: integer(),
          topk_sample_logprobs: integer(),
          target_prompt_logprobs: TensorData.t() | nil,
          prompt_alt_tokens_k: integer(),
          prompt_logprobs_last_n: integer() | nil,
          record_stability_info: boolean() | nil,
          type: String.t()
        }

  @fields [
    {:num_samples, "num_samples", :integer, :optional},
    {:prompt, "prompt", ModelInput, :required},
    {:sampling_params, "sampling_params", SamplingParams, :required},
    {:base_model, "base_model", {:nullable, :string}, :optional},
    {:model_path, "model_path", {:nullable, :string}, :optional},
    {:sampling_session_id, "sampling_session_id", {:nullable, :string}, :optional},
    {:seq_id, "seq_id", {:nullable, :integer}, :optional},
    {:prompt_logprobs, "prompt_logprobs", {:nullable, :boolean}, :optional},
    {:topk_prompt_logprobs, "topk_prompt_logprobs", :integer, :optional},
    {:topk_sample_logprobs, "topk_sample_logprobs", :integer, :optional},
    {:target_prompt_logprobs, "target_prompt_logprobs", {:nullable, TensorData}, :optional},
    {:prompt_alt_tokens_k, "prompt_alt_tokens_k", :integer, :optional},
    {:prompt_logprobs_last_n, "prompt_logprobs_last_n", {:nullable, :integer}, :optional},
    {:record_stability_info, "record_stability_info", {:nullable, :boolean}, :optional},
    {:type, "type", {:literal, "sample"}, :optional}
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
