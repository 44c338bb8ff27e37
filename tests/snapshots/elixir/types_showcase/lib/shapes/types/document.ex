defmodule Shapes.Types.Document do
  @moduledoc """
  A document with every kind of field.
  """

  alias Shapes.Runtime.Codec
  alias Shapes.Types.DocumentId
  alias Shapes.Types.Kind
  alias Shapes.Types.Shape

  defstruct id: nil,
            kind: nil,
            title: nil,
            subtitle: nil,
            summary: nil,
            note: nil,
            shapes: nil,
            attributes: %{},
            scores: nil,
            format: "svg",
            thumbnail: nil,
            published_on: nil,
            updated_at: nil,
            revision: 1,
            ratio: 0.5,
            extra: nil,
            class: "plain",
            end: nil,
            default: false,
            legacy_id: nil

  @type t :: %__MODULE__{
          id: DocumentId.t(),
          kind: Kind.t(),
          title: String.t(),
          subtitle: String.t() | nil,
          summary: String.t() | nil,
          note: String.t() | nil,
          shapes: [Shape.t()],
          attributes: %{optional(String.t()) => String.t() | integer() | boolean()},
          scores: %{optional(String.t()) => float()} | nil,
          format: String.t(),
          thumbnail: binary() | nil,
          published_on: Date.t() | nil,
          updated_at: DateTime.t() | NaiveDateTime.t(),
          revision: integer(),
          ratio: float(),
          extra: term() | nil,
          class: String.t(),
          end: integer() | nil,
          default: boolean(),
          legacy_id: String.t() | nil
        }

  @fields [
    {:id, "id", DocumentId, :required},
    {:kind, "kind", Kind, :required},
    {:title, "Title", :string, :required},
    {:subtitle, "subtitle", {:nullable, :string}, :optional},
    {:summary, "summary", :string, :optional},
    {:note, "note", {:nullable, :string}, :optional},
    {:shapes, "shapes", {:list, Shape}, :required},
    {:attributes, "attributes", {:map, {:one_of, [:string, :integer, :boolean]}}, :optional},
    {:scores, "scores", {:nullable, {:map, :float}}, :optional},
    {
      :format,
      "format",
      {:one_of, [{:literal, "png"}, {:literal, "svg"}, {:literal, "pdf"}]},
      :optional
    },
    {:thumbnail, "thumbnail", {:nullable, :bytes}, :optional},
    {:published_on, "published_on", {:nullable, :date}, :optional},
    {:updated_at, "updated_at", :datetime, :required},
    {:revision, "revision", :integer, :optional},
    {:ratio, "ratio", :float, :optional},
    {:extra, "extra", :any, :optional},
    {:class, "class", :string, :optional},
    {:end, "end", {:nullable, :integer}, :optional},
    {:default, "default", :boolean, :optional},
    {:legacy_id, "legacy_id", :string, :optional}
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
