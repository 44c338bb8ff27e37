defmodule Names.Types.Keywords do
  @moduledoc """
  Fields named like keywords of some target.
  """

  alias Names.Runtime.Codec

  defstruct class: nil,
            def: nil,
            end: nil,
            fn: nil,
            nil: nil,
            async: nil,
            await: nil,
            self: nil,
            none: nil,
            constructor: nil,
            __proto__: nil,
            type: nil,
            default: nil,
            do: nil,
            true: nil,
            __struct___: nil,
            prototype: nil

  @type t :: %__MODULE__{
          class: String.t(),
          def: String.t() | nil,
          end: String.t() | nil,
          fn: String.t() | nil,
          nil: String.t() | nil,
          async: String.t() | nil,
          await: String.t() | nil,
          self: String.t() | nil,
          none: String.t() | nil,
          constructor: String.t() | nil,
          __proto__: String.t() | nil,
          type: String.t() | nil,
          default: String.t() | nil,
          do: String.t() | nil,
          true: String.t() | nil,
          __struct___: String.t() | nil,
          prototype: String.t() | nil
        }

  @fields [
    {:class, "class", :string, :required},
    {:def, "def", :string, :optional},
    {:end, "end", :string, :optional},
    {:fn, "fn", :string, :optional},
    {nil, "nil", :string, :optional},
    {:async, "async", :string, :optional},
    {:await, "await", :string, :optional},
    {:self, "self", :string, :optional},
    {:none, "None", :string, :optional},
    {:constructor, "constructor", :string, :optional},
    {:__proto__, "__proto__", :string, :optional},
    {:type, "type", :string, :optional},
    {:default, "default", :string, :optional},
    {:do, "do", :string, :optional},
    {true, "true", :string, :optional},
    {:__struct___, "__struct__", :string, :optional},
    {:prototype, "prototype", :string, :optional}
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
