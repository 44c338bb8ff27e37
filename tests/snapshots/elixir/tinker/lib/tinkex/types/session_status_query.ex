defmodule Tinkex.Types.SessionStatusQuery do
  @moduledoc """
  The `SessionStatusQuery` type of the tinker API.

  One of the variants, told apart by `type`; a variant this SDK does not know (a newer server may
  send one) is kept as its JSON map.
  """

  alias Tinkex.Runtime.Codec
  alias Tinkex.Types.ActiveSessionStatusQuery
  alias Tinkex.Types.CancelledSessionStatusQuery
  alias Tinkex.Types.ClientFinishedSessionStatusQuery
  alias Tinkex.Types.FailedSessionStatusQuery

  @type t ::
          ActiveSessionStatusQuery.t()
          | CancelledSessionStatusQuery.t()
          | FailedSessionStatusQuery.t()
          | ClientFinishedSessionStatusQuery.t()
          | map()

  @variants %{
    "active" => ActiveSessionStatusQuery,
    "cancelled" => CancelledSessionStatusQuery,
    "failed" => FailedSessionStatusQuery,
    "client_finished" => ClientFinishedSessionStatusQuery
  }

  @doc false
  def __type__, do: {:union, "type", @variants}

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
