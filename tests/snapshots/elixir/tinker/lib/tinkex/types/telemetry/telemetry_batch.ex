defmodule Tinkex.Types.Telemetry.TelemetryBatch do
  @moduledoc """
  A batch of telemetry events and metadata about them, as the SDK collects them (never sent as
  such).
  """

  alias Tinkex.Runtime.Codec
  alias Tinkex.Types.Telemetry.TelemetryEvent

  defstruct events: [], metadata: %{}

  @type t :: %__MODULE__{
          events: [TelemetryEvent.t()],
          metadata: %{optional(String.t()) => term()}
        }

  @fields [
    {:events, "events", {:list, TelemetryEvent}, :optional},
    {:metadata, "metadata", {:map, :any}, :optional}
  ]

  @doc false
  def __type__, do: {:record, @fields}

  @doc """
  Builds the struct from a keyword list or map (field names or wire names as keys), or, given the
  lone positional argument of `new/2`, as `new/2` with no options.
  """
  @spec new(keyword() | map() | [TelemetryEvent.t()]) :: t()
  def new(attrs \\ [])

  def new(events) when is_list(events) and events != [] and not is_tuple(hd(events)),
    do: new(events, [])

  def new(attrs), do: Codec.new(__MODULE__, attrs)

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
  A batch of `events`; option `metadata`. Invalid values are an `:invalid_argument` error
  (raised). Options: `:metadata` (an unknown one is an `ArgumentError`).
  """
  @spec new([TelemetryEvent.t()], keyword()) :: t()
  def new(events, opts) do
    opts = Keyword.validate!(opts, [:metadata])

    Codec.construct(
      __MODULE__,
      %{
        "events" => Codec.encode(events, {:list, TelemetryEvent}),
        "metadata" => Codec.encode(opts[:metadata], {:map, :any})
      }
    )
  end

  @doc """
  A batch of the events given in their JSON form (maps, as `to_list` gives them); option
  `metadata`. An event that does not decode is an invalid-argument error. Invalid values are an
  `:invalid_argument` error (raised). Options: `:metadata` (an unknown one is an `ArgumentError`).
  """
  @spec from_list([term()], keyword()) :: t()
  def from_list(event_maps, opts \\ []) do
    opts = Keyword.validate!(opts, [:metadata])

    Codec.construct(
      __MODULE__,
      %{
        "events" => Codec.encode(event_maps, {:list, TelemetryEvent}),
        "metadata" => Codec.encode(opts[:metadata], {:map, :any})
      }
    )
  end

  @doc """
  The events in their JSON form, as they are sent.
  """
  @spec to_list(t()) :: [%{optional(String.t()) => term()}] | nil
  def to_list(%__MODULE__{} = value) do
    Codec.evaluate(value, {:json, {:path, [:events]}, {:nullable, {:list, TelemetryEvent}}})
  end

  @doc """
  The number of events.
  """
  @spec size(t()) :: integer()
  def size(%__MODULE__{} = value), do: Codec.evaluate(value, {:len, {:path, [:events]}})
end
