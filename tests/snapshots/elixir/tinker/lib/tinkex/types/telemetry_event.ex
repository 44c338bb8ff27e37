defmodule Tinkex.Types.TelemetryEvent do
  @moduledoc """
  The `TelemetryEvent` type of the tinker API.

  One of the variants, told apart by `event`; a variant this SDK does not know (a newer server may
  send one) is kept as its JSON map.
  """

  alias Tinkex.Runtime.Codec
  alias Tinkex.Types.GenericEvent
  alias Tinkex.Types.SessionEndEvent
  alias Tinkex.Types.SessionStartEvent
  alias Tinkex.Types.UnhandledExceptionEvent

  @type t ::
          SessionStartEvent.t()
          | SessionEndEvent.t()
          | UnhandledExceptionEvent.t()
          | GenericEvent.t()
          | map()

  @variants %{
    "SESSION_START" => SessionStartEvent,
    "SESSION_END" => SessionEndEvent,
    "UNHANDLED_EXCEPTION" => UnhandledExceptionEvent,
    "GENERIC_EVENT" => GenericEvent
  }

  @doc false
  def __type__, do: {:union, "event", @variants}

  @doc "Decodes the JSON form."
  @spec decode(term()) :: {:ok, t()} | {:error, Codec.error()}
  def decode(json), do: Codec.decode(json, __MODULE__)

  @doc "Like `decode/1`; raises `ArgumentError` when the JSON does not fit."
  @spec from_json(term()) :: t()
  def from_json(json), do: Codec.decode!(json, __MODULE__)

  @doc "The JSON form."
  @spec to_json(t()) :: map()
  def to_json(value), do: Codec.encode(value, __MODULE__)
end
