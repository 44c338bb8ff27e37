defmodule Tinkex.Types.SampleResponse do
  @moduledoc """
  Response from a sampling request.
  """

  alias Tinkex.Runtime.Codec
  alias Tinkex.Types.PromptAltTokens
  alias Tinkex.Types.SampledSequence
  alias Tinkex.Types.TensorData
  alias Tinkex.Types.TokenLogprob

  defstruct sequences: nil,
            prompt_logprobs: nil,
            topk_prompt_logprobs: nil,
            target_prompt_logprobs: nil,
            prompt_cache_hit_tokens: 0,
            prompt_alt_tokens: nil,
            type: "sample"

  @type t :: %__MODULE__{
          sequences: [SampledSequence.t()],
          prompt_logprobs: [float() | nil] | nil,
          topk_prompt_logprobs: [[TokenLogprob.t()] | nil] | nil,
          target_prompt_logprobs: TensorData.t() | nil,
          prompt_cache_hit_tokens: integer(),
          prompt_alt_tokens: PromptAltTokens.t() | nil,
          type: String.t()
        }

  @fields [
    {:sequences, "sequences", {:list, SampledSequence}, :required},
    {:prompt_logprobs, "prompt_logprobs", {:nullable, {:list, {:nullable, :float}}}, :optional},
    {
      :topk_prompt_logprobs,
      "topk_prompt_logprobs",
      {:nullable, {:list, {:nullable, {:list, TokenLogprob}}}},
      :optional
    },
    {:target_prompt_logprobs, "target_prompt_logprobs", {:nullable, TensorData}, :optional},
    {:prompt_cache_hit_tokens, "prompt_cache_hit_tokens", :integer, :optional},
    {:prompt_alt_tokens, "prompt_alt_tokens", {:nullable, PromptAltTokens}, :optional},
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
