defmodule Tinkex.Types.Telemetry.TelemetryEvent do
  @moduledoc """
  The `TelemetryEvent` type of the tinker API.

  One of the variants, told apart by `event`; a variant this SDK does not know (a newer server may
  send one) is kept as its JSON map.
  """

  alias Tinkex.Runtime.Codec
  alias Tinkex.Types.Telemetry.GenericEvent
  alias Tinkex.Types.Telemetry.SessionEndEvent
  alias Tinkex.Types.Telemetry.SessionStartEvent
  alias Tinkex.Types.Telemetry.UnhandledExceptionEvent

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

  @doc "Same as `from_json/1`."
  @spec from_map(map()) :: t()
  def from_map(map), do: from_json(map)

  @doc "Same as `to_json/1` (the map `from_map/1` reads back)."
  @spec to_map(t()) :: map()
  def to_map(value), do: to_json(value)

  @doc """
  The `event` tag of a value, as its wire string (an unknown variant's own).
  """
  @spec event_type(t()) :: String.t()
  def event_type(%SessionStartEvent{}), do: "SESSION_START"
  def event_type(%SessionEndEvent{}), do: "SESSION_END"
  def event_type(%UnhandledExceptionEvent{}), do: "UNHANDLED_EXCEPTION"
  def event_type(%GenericEvent{}), do: "GENERIC_EVENT"
  def event_type(%{"event" => tag}) when is_binary(tag), do: tag
end
