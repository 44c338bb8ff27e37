defmodule Shapes.Runtime.Codec do
  @moduledoc false
  # Decoding from and encoding to JSON terms, driven by the type descriptions the generated type
  # modules declare (`__type__/0`). A type is one of:
  #
  #   :string | :integer | :float | :boolean | :bytes | :any | :datetime | :date
  #   :none (what a server-side future with no declared result answers: decoded as nil)
  #   {:list, type} | {:map, type} | {:nullable, type} | {:literal, value} | {:one_of, [type]}
  #   a generated type module (a record, an enum, a union or an alias)
  #
  # A module's `__type__/0` answers `{:record, fields}` (each field `{name, wire_name, type,
  # presence}`, presence `:required` or `:optional`), `{:enum, [{wire, atom}]}`, `{:union,
  # discriminator_wire_name, %{tag => module}}`, `{:one_of, [type]}` or `{:alias, type}`.
  #
  # Forward compatibility: an enum value this SDK does not know is kept as its string; a union
  # variant with an unknown tag is kept as its JSON map.

  alias Shapes.Error

  @type type ::
          atom()
          | {:list, type()}
          | {:map, type()}
          | {:nullable, type()}
          | {:literal, String.t() | integer()}
          | {:one_of, [type()]}

  @type error :: {:invalid, path :: [String.t() | non_neg_integer()], message :: String.t()}
  @type field :: {atom(), String.t(), type(), :required | :optional}

  @primitives [:string, :integer, :float, :boolean, :bytes, :any, :datetime, :date, :none]

  # -- decoding -----------------------------------------------------------------------------------

  @doc "Decodes a JSON term as `type`."
  @spec decode(term(), type()) :: {:ok, term()} | {:error, error()}
  def decode(value, type) do
    {:ok, walk(value, type, [])}
  catch
    {:invalid, _path, _message} = error -> {:error, error}
  end

  @doc "Like `decode/2`; raises `ArgumentError` when the term does not fit the type."
  @spec decode!(term(), type()) :: term()
  def decode!(value, type) do
    case decode(value, type) do
      {:ok, decoded} -> decoded
      {:error, error} -> raise ArgumentError, describe(error)
    end
  end

  @doc "A decoding error as text: `at checkpoints[0].time: expected a date-time`."
  @spec describe(error()) :: String.t()
  def describe({:invalid, [], message}), do: message
  def describe({:invalid, path, message}), do: "at #{format_path(path)}: #{message}"

  defp format_path(path) do
    path
    |> Enum.reverse()
    |> Enum.map_join(fn
      index when is_integer(index) -> "[#{index}]"
      key -> ".#{key}"
    end)
    |> String.trim_leading(".")
  end

  defp walk(value, {:nullable, _type}, _path) when value == nil, do: nil
  defp walk(value, {:nullable, type}, path), do: walk(value, type, path)
  defp walk(value, :any, _path), do: value
  defp walk(_value, :none, _path), do: nil
  defp walk(value, :string, _path) when is_binary(value), do: value
  defp walk(value, :integer, _path) when is_integer(value), do: value

  defp walk(value, :integer, _path) when is_float(value) and trunc(value) == value,
    do: trunc(value)

  defp walk(value, :float, _path) when is_float(value), do: value
  defp walk(value, :float, _path) when is_integer(value), do: value * 1.0
  defp walk(value, :boolean, _path) when is_boolean(value), do: value

  defp walk(value, :bytes, path) when is_binary(value) do
    case Base.decode64(value) do
      {:ok, bytes} -> bytes
      :error -> invalid(path, "expected base64 text")
    end
  end

  defp walk(value, :datetime, path) when is_binary(value) do
    case DateTime.from_iso8601(value) do
      {:ok, datetime, _offset} ->
        datetime

      {:error, _} ->
        case NaiveDateTime.from_iso8601(value) do
          {:ok, naive} -> naive
          {:error, _} -> invalid(path, "expected an ISO 8601 date-time")
        end
    end
  end

  defp walk(value, :date, path) when is_binary(value) do
    case Date.from_iso8601(value) do
      {:ok, date} -> date
      {:error, _} -> invalid(path, "expected an ISO 8601 date")
    end
  end

  defp walk(value, {:literal, literal}, _path) when value == literal, do: value

  defp walk(value, {:list, type}, path) when is_list(value) do
    value |> Enum.with_index() |> Enum.map(fn {item, i} -> walk(item, type, [i | path]) end)
  end

  defp walk(value, {:map, type}, path) when is_map(value) and not is_struct(value) do
    Map.new(value, fn {k, v} -> {to_string(k), walk(v, type, [to_string(k) | path])} end)
  end

  # An untagged union, decoded by the rule every SDK applies: of the members the value decodes as,
  # the one that declares the most of its keys; on a tie the one declared first. Never merely the
  # first that fits: a record whose fields are all optional fits any object.
  defp walk(value, {:one_of, types}, path) when is_map(value) and not is_struct(value) do
    types
    |> Enum.reduce(nil, fn type, best ->
      score = recognized(value, type)

      if best != nil and score <= elem(best, 1) do
        best
      else
        case decode(value, type) do
          {:ok, decoded} -> {decoded, score}
          {:error, _} -> best
        end
      end
    end)
    |> case do
      {decoded, _score} -> decoded
      nil -> invalid(path, "matches none of the declared types")
    end
  end

  defp walk(value, {:one_of, types}, path) do
    Enum.find_value(types, fn type ->
      case decode(value, type) do
        {:ok, decoded} -> {:found, decoded}
        {:error, _} -> nil
      end
    end)
    |> case do
      {:found, decoded} -> decoded
      nil -> invalid(path, "matches none of the declared types")
    end
  end

  defp walk(value, module, path) when is_atom(module) and module not in @primitives do
    decode_declared(value, module, module.__type__(), path)
  end

  defp walk(nil, _type, path), do: invalid(path, "must not be null")

  defp walk(value, type, path),
    do: invalid(path, "expected #{expected(type)}, got #{kind(value)}")

  # How many keys of a JSON object a record type declares (0 for any other type).
  defp recognized(value, {:nullable, type}), do: recognized(value, type)

  defp recognized(value, module) when is_atom(module) and module not in @primitives do
    case module.__type__() do
      {:record, fields} ->
        Enum.count(fields, fn {name, wire, _type, _presence} ->
          Map.has_key?(value, wire) or Map.has_key?(value, name)
        end)

      {:alias, type} ->
        recognized(value, type)

      _ ->
        0
    end
  end

  defp recognized(_value, _type), do: 0

  defp decode_declared(%{__struct__: module} = value, module, _type, _path), do: value
  defp decode_declared(nil, _module, _type, path), do: invalid(path, "must not be null")

  defp decode_declared(value, module, {:record, fields}, path) when is_map(value) do
    values =
      for {name, wire, type, presence} <- fields, reduce: %{} do
        acc ->
          case fetch(value, wire, name) do
            {:ok, nil} when presence == :optional -> Map.put(acc, name, nil)
            {:ok, raw} -> Map.put(acc, name, walk(raw, type, [wire | path]))
            :error when presence == :required -> invalid([wire | path], "is required")
            :error -> acc
          end
      end

    derive(struct(module, values), module)
  end

  defp decode_declared(value, _module, {:enum, values}, _path) when is_binary(value) do
    Enum.find_value(values, value, fn {wire, atom} -> if wire == value, do: atom end)
  end

  defp decode_declared(value, _module, {:enum, values}, path) when is_atom(value) do
    if Enum.any?(values, fn {_wire, atom} -> atom == value end),
      do: value,
      else: invalid(path, "unknown value #{inspect(value)}")
  end

  defp decode_declared(value, _module, {:union, discriminator, variants}, path)
       when is_map(value) do
    with {:ok, tag} <- fetch(value, discriminator, nil),
         module when module != nil <- Map.get(variants, tag) do
      walk(value, module, path)
    else
      # a tag this SDK does not know (a newer server): kept as the JSON map it came as
      _ -> value
    end
  end

  defp decode_declared(value, _module, {:one_of, types}, path),
    do: walk(value, {:one_of, types}, path)

  defp decode_declared(value, _module, {:alias, type}, path), do: walk(value, type, path)

  defp decode_declared(value, module, _type, path),
    do: invalid(path, "expected #{inspect(module)}, got #{kind(value)}")

  # A key of a JSON object, by its wire name; a map built in Elixir may use the field's atom.
  defp fetch(map, wire, name) do
    case Map.fetch(map, wire) do
      {:ok, value} -> {:ok, value}
      :error when name != nil -> Map.fetch(map, name)
      :error -> :error
    end
  end

  defp invalid(path, message), do: throw({:invalid, path, message})

  defp expected({:list, _}), do: "a list"
  defp expected({:map, _}), do: "an object"
  defp expected({:literal, value}), do: inspect(value)
  defp expected(:boolean), do: "a boolean"
  defp expected(:integer), do: "an integer"
  defp expected(:any), do: "a value"
  defp expected(type) when type in [:string, :bytes, :datetime, :date], do: "a string"
  defp expected(type) when is_atom(type), do: "a #{type}"

  defp kind(nil), do: "null"
  defp kind(value) when is_binary(value), do: "a string"
  defp kind(value) when is_boolean(value), do: "a boolean"
  defp kind(value) when is_number(value), do: "a number"
  defp kind(value) when is_list(value), do: "a list"
  defp kind(value) when is_map(value), do: "an object"
  defp kind(_value), do: "a term"

  # -- encoding -----------------------------------------------------------------------------------

  @doc """
  The JSON term of `value` as `type`. `:wire` leaves out the optional fields nobody set (nil);
  `:full` keeps every field (nil as null), which is how results are shown.
  """
  @spec encode(term(), type(), :wire | :full) :: term()
  def encode(value, type, mode \\ :wire)
  def encode(nil, _type, _mode), do: nil
  def encode(value, {:nullable, type}, mode), do: encode(value, type, mode)

  def encode(value, {:list, type}, mode) when is_list(value),
    do: Enum.map(value, &encode(&1, type, mode))

  def encode(value, {:map, type}, mode) when is_map(value),
    do: Map.new(value, fn {k, v} -> {to_string(k), encode(v, type, mode)} end)

  def encode(value, {:literal, _}, _mode), do: value
  def encode(value, {:one_of, types}, mode), do: encode_one_of(value, types, mode)
  def encode(value, :bytes, _mode) when is_binary(value), do: Base.encode64(value)
  def encode(value, :any, mode), do: encode_any(value, mode)
  def encode(value, type, mode) when type in @primitives, do: encode_any(value, mode)
  def encode(value, module, mode) when is_atom(module), do: encode_declared(value, module, mode)
  def encode(value, _type, mode), do: encode_any(value, mode)

  defp encode_declared(value, module, mode) do
    case module.__type__() do
      {:record, fields} -> encode_record(to_struct(value, module), fields, mode)
      {:enum, _values} -> encode_any(value, mode)
      {:union, _discriminator, _variants} -> encode_variant(value, mode)
      {:one_of, types} -> encode_one_of(value, types, mode)
      {:alias, type} -> encode(value, type, mode)
    end
  end

  defp encode_record(%{__struct__: module} = struct, fields, mode) do
    # the struct's own defaults are the declared ones: an optional field set to nil counts as not
    # given (the SDK plan's absent-field rule), so its default is sent, or nothing when it has none
    defaults = module.__struct__()

    for {name, wire, type, presence} <- fields, reduce: %{} do
      acc ->
        case Map.get(struct, name) do
          nil when mode == :wire and presence == :optional ->
            case Map.get(defaults, name) do
              nil -> acc
              default -> Map.put(acc, wire, encode(default, type, mode))
            end

          nil ->
            Map.put(acc, wire, nil)

          value ->
            Map.put(acc, wire, encode(value, type, mode))
        end
    end
  end

  defp to_struct(%{__struct__: module} = struct, module), do: struct

  defp to_struct(%{__struct__: other}, module),
    do: raise(ArgumentError, "expected a #{inspect(module)}, got a #{inspect(other)}")

  defp to_struct(map, module) when is_map(map) or is_list(map), do: new(module, map)

  defp to_struct(value, module) do
    raise ArgumentError,
          "expected a #{inspect(module)} (a struct, keyword list or map), got: #{inspect(value)}"
  end

  defp encode_variant(%{__struct__: module} = struct, mode), do: encode(struct, module, mode)
  defp encode_variant(value, mode), do: encode_any(value, mode)

  defp encode_one_of(%{__struct__: module} = struct, _types, mode) when is_atom(module),
    do: encode(struct, module, mode)

  defp encode_one_of(value, _types, mode), do: encode_any(value, mode)

  # A value without a declared type: structs of generated types by their own declaration,
  # atoms as their text, dates as ISO 8601, maps with string keys.
  defp encode_any(%DateTime{} = value, _mode), do: DateTime.to_iso8601(value)
  defp encode_any(%NaiveDateTime{} = value, _mode), do: NaiveDateTime.to_iso8601(value)
  defp encode_any(%Date{} = value, _mode), do: Date.to_iso8601(value)

  defp encode_any(%{__struct__: module} = struct, mode) do
    if function_exported?(module, :__type__, 0),
      do: encode(struct, module, mode),
      else: encode_any(Map.from_struct(struct), mode)
  end

  defp encode_any(value, mode) when is_map(value),
    do: Map.new(value, fn {k, v} -> {to_string(k), encode_any(v, mode)} end)

  defp encode_any(value, mode) when is_list(value), do: Enum.map(value, &encode_any(&1, mode))
  defp encode_any(value, _mode) when is_boolean(value) or is_nil(value), do: value
  defp encode_any(value, _mode) when is_atom(value), do: Atom.to_string(value)
  defp encode_any(value, _mode) when is_tuple(value), do: encode_any(Tuple.to_list(value), :wire)
  defp encode_any(value, _mode), do: value

  # -- building -----------------------------------------------------------------------------------

  @doc """
  A record struct from a keyword list or map whose keys are field names (atoms or strings) or
  wire names; raises `ArgumentError` on a key the record does not have.
  """
  @spec new(module(), keyword() | map()) :: struct()
  def new(module, attrs) when is_list(attrs) or is_map(attrs) do
    {:record, fields} = module.__type__()

    # a list of anything but pairs (`[1, 2]` where a record goes) is a caller's mistake, said so
    unless is_map(attrs) or Enum.all?(attrs, &match?({_, _}, &1)) do
      raise ArgumentError,
            "#{inspect(module)}: expected a keyword list or map of fields, got: #{inspect(attrs)}"
    end

    values =
      Map.new(attrs, fn {key, value} ->
        field =
          Enum.find(fields, fn {name, wire, _type, _presence} ->
            key == name or key == wire or key == Atom.to_string(name)
          end)

        case field do
          {name, _wire, _type, _presence} -> {name, value}
          nil -> raise ArgumentError, "#{inspect(module)} has no field #{inspect(key)}"
        end
      end)

    struct(module, values)
  end

  # -- helpers and derived fields -----------------------------------------------------------------

  # A derived field the JSON left out is the variable of a parse template matched against another
  # field (`Checkpoint.training_run_id` from `tinker_path`); text that does not match leaves it nil.
  defp derive(struct, module) do
    if function_exported?(module, :__derived__, 0) do
      Enum.reduce(module.__derived__(), struct, fn {field, source, template, var}, acc ->
        with nil <- Map.get(acc, field),
             text when is_binary(text) <- Map.get(acc, source),
             {:ok, values} <- template_values(template, text) do
          Map.put(acc, field, Map.get(values, var))
        else
          _ -> acc
        end
      end)
    else
      struct
    end
  end

  @doc """
  A record built by a type helper (`ModelInput.from_ints/1`): `json` is its JSON form with the
  parameters already encoded; a key whose value is nil is left out (an absent option). What does
  not fit the record raises the `:invalid_argument` error.
  """
  @spec construct(module(), map()) :: struct()
  def construct(module, json) do
    case decode(drop_nils(json), module) do
      {:ok, value} ->
        value

      {:error, error} ->
        raise Error.new(:validation, "#{inspect(module)}: #{describe(error)}",
                data: %{reason: :argument}
              )
    end
  end

  @doc """
  A copy of `value` with `item` (JSON, the arguments in place) appended to its list `field` (wire
  names), as in every tinkc SDK: with `merge` = `{list, discriminator, tag}`, an item of the last
  item's kind (its discriminator equal to the tag; any, when nil) extends that item's list instead.
  Done in JSON form and decoded back: what does not fit is an `:invalid_argument` error (raised).
  """
  @spec push(
          struct(),
          module(),
          String.t(),
          map(),
          {String.t(), String.t() | nil, String.t() | nil} | nil
        ) ::
          struct()
  def push(value, module, field, item, merge) do
    json = encode(value, module)
    items = Map.get(json, field) || []
    construct(module, Map.put(json, field, push_item(items, item, merge)))
  end

  defp push_item(items, item, nil), do: items ++ [item]

  defp push_item(items, item, {key, discriminator, tag}) do
    last = List.last(items)

    if is_map(last) and (discriminator == nil or Map.get(last, discriminator) == tag) do
      List.replace_at(
        items,
        -1,
        Map.put(last, key, (Map.get(last, key) || []) ++ (Map.get(item, key) || []))
      )
    else
      items ++ [item]
    end
  end

  defp drop_nils(map) when is_map(map),
    do: for({k, v} <- map, v != nil, into: %{}, do: {k, drop_nils(v)})

  defp drop_nils(list) when is_list(list), do: Enum.map(list, &drop_nils/1)
  defp drop_nils(value), do: value

  @doc """
  What a type helper's `get` path reads out of `value`: `:each` is every item of a list (an absent
  list is empty; the items stream on, so two `:each` give one flat list), an atom a field (absent
  on an absent value), `{field, variants}` a field of a union item that only those variant modules
  have (another item raises the `:invalid_argument` error).
  """
  @spec project(term(), [atom() | {atom(), [module()]}]) :: term()
  def project(value, path) do
    {values, many} =
      Enum.reduce(path, {[value], false}, fn
        :each, {values, _many} -> {Enum.flat_map(values, &List.wrap/1), true}
        step, {values, many} -> {Enum.map(values, &project_field(&1, step)), many}
      end)

    if many, do: values, else: hd(values)
  end

  defp project_field(nil, _step), do: nil

  defp project_field(value, {field, variants}) do
    if is_struct(value) and value.__struct__ in variants do
      Map.get(value, field)
    else
      raise Error.new(:validation, "#{inspect(value)} has no field #{inspect(field)}",
              data: %{reason: :argument}
            )
    end
  end

  defp project_field(value, field) when is_map(value), do: Map.get(value, field)

  @doc """
  What a type helper's expression answers for `value`, as in every tinkc SDK: `{:path, steps}`
  reads a path; `{:key, of, key}` a map's value (absent: nil); `{:call, of, many, cases}` each
  item's own helper, the case `{module, expr}` of its struct (`:any`: every item; no case is an
  `:invalid_argument` error, an absent item nil); `{:len, of}`, `{:sum, of}` (absent: 0),
  `{:required, of}` (absent: an `:invalid_argument` error), `{:json, of, type}` (its JSON form);
  `{:==, of, [literal]}`,
  `{:!=, of, [literal]}`, `{:in, of, literals}` a boolean; `{:const, literal}`.
  """
  @spec evaluate(term(), tuple()) :: term()
  def evaluate(value, {:path, steps}), do: project(value, steps)
  def evaluate(_value, {:const, literal}), do: literal
  def evaluate(value, {:key, of, key}), do: value |> evaluate(of) |> map_value(key)

  def evaluate(value, {:call, of, many, cases}) do
    items = evaluate(value, of)

    if many,
      do: Enum.map(items || [], &call_case(&1, cases)),
      else: call_case(items, cases)
  end

  def evaluate(value, {:json, of, type}), do: value |> evaluate(of) |> encode(type)
  def evaluate(value, {:len, of}), do: value |> evaluate(of) |> count()
  def evaluate(value, {:sum, of}), do: value |> evaluate(of) |> Kernel.||([]) |> Enum.sum()

  def evaluate(value, {:required, of}) do
    case evaluate(value, of) do
      nil ->
        raise Error.new(:validation, "#{inspect(value)} lacks a value this helper requires",
                data: %{reason: :argument}
              )

      found ->
        found
    end
  end

  def evaluate(value, {:==, of, [literal]}), do: evaluate(value, of) == literal
  def evaluate(value, {:!=, of, [literal]}), do: evaluate(value, of) != literal
  def evaluate(value, {:in, of, literals}), do: evaluate(value, of) in literals

  defp map_value(nil, _key), do: nil
  defp map_value(map, key) when is_map(map), do: Map.get(map, key)

  defp count(nil), do: 0
  defp count(items) when is_list(items), do: Kernel.length(items)
  defp count(map) when is_map(map), do: map_size(map)

  defp call_case(nil, _cases), do: nil

  defp call_case(item, cases) do
    case Enum.find(cases, fn {module, _expr} -> module == :any or is_struct(item, module) end) do
      {_module, expr} ->
        evaluate(item, expr)

      nil ->
        raise Error.new(:validation, "#{inspect(item)} has no helper for this expression",
                data: %{reason: :argument}
              )
    end
  end

  # -- parse templates ----------------------------------------------------------------------------

  # A parse template's variables: `{name}` (one segment, no `/`) and `{+name}` (any text).
  @template_variable ~r/(\{\+?[A-Za-z_][A-Za-z0-9_]*\})/

  @doc """
  Splits `text` by a record's parse template (`tinker://{training_run_id}/{+checkpoint_id}`) into
  the record, as every tinkc SDK does: the literal parts must appear as written; a variable runs to
  the first occurrence of the literal after it (the end, for the last one), is never empty, and a
  `{name}` one holds no `/`. Anything else is `{:error, %Error{}}` of kind `:invalid_argument`.
  """
  @spec parse_template(module(), String.t(), term()) :: {:ok, struct()} | {:error, Error.t()}
  def parse_template(module, template, text) do
    with true <- is_binary(text),
         {:ok, values} <- template_values(template, text),
         {:ok, record} <- decode(values, module) do
      {:ok, record}
    else
      _ ->
        {:error,
         Error.new(:validation, "#{inspect(text)} does not match `#{template}`",
           data: %{reason: :argument}
         )}
    end
  end

  defp template_values(template, text) do
    # literal, variable, literal, ..., literal
    parts = Regex.split(@template_variable, template, include_captures: true)

    case match_template(parts, text, 0, %{}) do
      {:ok, values, pos} when pos == byte_size(text) -> {:ok, values}
      _ -> :error
    end
  end

  defp match_template([], _text, pos, values), do: {:ok, values, pos}

  defp match_template([literal], text, pos, values) do
    if literal?(text, pos, literal), do: {:ok, values, pos + byte_size(literal)}, else: :error
  end

  defp match_template([literal, variable, following | rest], text, pos, values) do
    start = pos + byte_size(literal)

    with true <- literal?(text, pos, literal),
         {:ok, stop} <- variable_end(text, start, following) do
      value = binary_part(text, start, stop - start)
      raw = String.starts_with?(variable, "{+")
      name = String.slice(variable, if(raw, do: 2, else: 1)..-2//1)

      if value != "" and (raw or not String.contains?(value, "/")) do
        match_template([following | rest], text, stop, Map.put(values, name, value))
      else
        :error
      end
    else
      _ -> :error
    end
  end

  defp literal?(text, pos, literal) do
    byte_size(text) - pos >= byte_size(literal) and
      binary_part(text, pos, byte_size(literal)) == literal
  end

  defp variable_end(text, _start, ""), do: {:ok, byte_size(text)}

  defp variable_end(text, start, following) do
    case :binary.match(text, following, scope: {start, byte_size(text) - start}) do
      {found, _length} -> {:ok, found}
      :nomatch -> :error
    end
  end

  # -- enums --------------------------------------------------------------------------------------

  @doc "An enum value from its wire text (an unknown text stays a string) or its atom."
  @spec parse_enum(module(), String.t() | atom()) :: atom() | String.t()
  def parse_enum(module, value) do
    {:enum, values} = module.__type__()

    Enum.find_value(values, value, fn {wire, atom} ->
      if wire == value or atom == value, do: atom
    end)
  end

  @doc "The wire text of an enum value."
  @spec enum_text(module(), atom() | String.t()) :: String.t()
  def enum_text(_module, value) when is_binary(value), do: value

  def enum_text(module, value) when is_atom(value) do
    {:enum, values} = module.__type__()

    Enum.find_value(values, Atom.to_string(value), fn {wire, atom} ->
      if atom == value, do: wire
    end)
  end
end
