defmodule Tinkex.Types.RequestErrorCategory do
  @moduledoc """
  The `RequestErrorCategory` type of the tinker API.

  A value this SDK does not know yet (a newer server may send one) is kept as its string.
  """

  import Kernel, except: [to_string: 1]

  alias Tinkex.Runtime.Codec

  @type t :: :unknown | :server | :user | String.t()

  @values [{"unknown", :unknown}, {"server", :server}, {"user", :user}]

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

  @doc """
  Whether a request failing with this category may succeed when sent again (not a user error).
  """
  @spec retryable?(t()) :: boolean()
  def retryable?(value), do: Codec.evaluate(value, {:!=, {:path, []}, [:user]})
end
