defmodule HostileSystemHaltProcessExit1.Types.Mode do
  @moduledoc """
  Enum doc \""" ''' " ' ` */ /* --> @moduledoc \""" ~S\""" \#{System.halt()} ${process.exit(1)} \\

  A value this SDK does not know yet (a newer server may send one) is kept as its string.
  """

  import Kernel, except: [to_string: 1]

  alias HostileSystemHaltProcessExit1.Runtime.Codec

  @type t ::
          :"\"\"\""
          | :"'''"
          | :"\""
          | :"'"
          | :"`"
          | :"*/"
          | :"/*"
          | :"-->"
          | :"@moduledoc \"\"\""
          | :"~S\"\"\""
          | :"\#{System.halt()}"
          | :"${process.exit(1)}"
          | :"\\"
          | :"\\n"
          | :"trailing \\"
          | :"line\u{2028}para\u{2029}"
          | :"nul\u{0}byte"
          | :"🦀 crab"
          | :"\u{202e}rtl\u{202c}"
          | :class
          | :None
          | :""
          | String.t()

  @values [
    {"\"\"\"", :"\"\"\""},
    {"'''", :"'''"},
    {"\"", :"\""},
    {"'", :"'"},
    {"`", :"`"},
    {"*/", :"*/"},
    {"/*", :"/*"},
    {"-->", :"-->"},
    {"@moduledoc \"\"\"", :"@moduledoc \"\"\""},
    {"~S\"\"\"", :"~S\"\"\""},
    {"\#{System.halt()}", :"\#{System.halt()}"},
    {"${process.exit(1)}", :"${process.exit(1)}"},
    {"\\", :"\\"},
    {"\\n", :"\\n"},
    {"trailing \\", :"trailing \\"},
    {"line\u{2028}para\u{2029}", :"line\u{2028}para\u{2029}"},
    {"nul\u{0}byte", :"nul\u{0}byte"},
    {"🦀 crab", :"🦀 crab"},
    {"\u{202e}rtl\u{202c}", :"\u{202e}rtl\u{202c}"},
    {"class", :class},
    {"None", :None},
    {"", :""}
  ]

  @doc false
  def __type__, do: {:enum, @values}

  @doc "The values this SDK knows."
  @spec values() :: [atom()]
  def values, do: Enum.map(@values, &elem(&1, 1))

  @doc "The value of a wire text: its atom, or the text itself when this SDK does not know it."
  @spec parse(String.t() | atom()) :: t()
  def parse(value), do: Codec.parse_enum(__MODULE__, value)

  @doc "The wire text of a value."
  @spec to_string(t()) :: String.t()
  def to_string(value), do: Codec.enum_text(__MODULE__, value)

  @doc "Decodes the JSON form (a string)."
  @spec decode(term()) :: {:ok, t()} | {:error, Codec.error()}
  def decode(json), do: Codec.decode(json, __MODULE__)

  @doc "The JSON form (the wire text)."
  @spec to_json(t()) :: String.t()
  def to_json(value), do: Codec.enum_text(__MODULE__, value)
end
