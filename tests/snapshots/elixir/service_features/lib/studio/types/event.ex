defmodule Studio.Types.Event do
  @moduledoc """
  The `Event` type of the studio API.

  One of the variants, told apart by `kind`; a variant this SDK does not know (a newer server may
  send one) is kept as its JSON map.
  """

  alias Studio.Runtime.Codec
  alias Studio.Types.Note
  alias Studio.Types.Started

  @type t :: Started.t() | Note.t() | map()

  @variants %{"started" => Started, "note" => Note}

  @doc false
  def __type__, do: {:union, "kind", @variants}

  @doc "Decodes the JSON form."
  @spec decode(term()) :: {:ok, t()} | {:error, Codec.error()}
  def decode(json), do: Codec.decode(json, __MODULE__)

  @doc "Like `decode/1`; raises `ArgumentError` when the JSON does not fit."
  @spec from_json(term()) :: t()
  def from_json(json), do: Codec.decode!(json, __MODULE__)

  @doc "The JSON form."
  @spec to_json(t()) :: map()
  def to_json(value), do: Codec.encode(value, __MODULE__)

  @doc "Same as `from_json/1`."
  @spec from_map(map()) :: t()
  def from_map(map), do: from_json(map)

  @doc "Same as `to_json/1` (the map `from_map/1` reads back)."
  @spec to_map(t()) :: map()
  def to_map(value), do: to_json(value)
end
