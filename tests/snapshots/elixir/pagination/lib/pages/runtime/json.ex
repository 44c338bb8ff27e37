defmodule Pages.Runtime.JSON do
  @moduledoc false
  # JSON through whichever library the application has: Jason when it is a dependency, OTP 27's
  # :json, else :jiffy (Debian's erlang-jiffy). No hex package is required. The choice is made at
  # run time, so the code compiles without warnings whichever of them is present.

  @compile {:no_warn_undefined, [Jason, :json, :jiffy]}

  @doc false
  @spec adapter() :: :jason | :otp | :jiffy
  def adapter do
    case :persistent_term.get({__MODULE__, :adapter}, nil) do
      nil ->
        adapter = detect()
        :persistent_term.put({__MODULE__, :adapter}, adapter)
        adapter

      adapter ->
        adapter
    end
  end

  defp detect do
    cond do
      Code.ensure_loaded?(Jason) -> :jason
      Code.ensure_loaded?(:json) and function_exported?(:json, :decode, 3) -> :otp
      Code.ensure_loaded?(:jiffy) -> :jiffy
      true -> raise "no JSON library: add Jason, run on OTP 27+, or install jiffy (erlang-jiffy)"
    end
  end

  @doc false
  @spec encode!(term()) :: binary()
  def encode!(term) do
    case adapter() do
      :jason -> Jason.encode!(term)
      :otp -> IO.iodata_to_binary(:json.encode(normalize(term)))
      :jiffy -> IO.iodata_to_binary(:jiffy.encode(normalize(term)))
    end
  end

  @doc false
  @spec decode(binary()) :: {:ok, term()} | {:error, term()}
  def decode(binary) when is_binary(binary) do
    case adapter() do
      :jason -> Jason.decode(binary)
      :otp -> decode_otp(binary)
      :jiffy -> decode_jiffy(binary)
    end
  end

  defp decode_otp(binary) do
    case :json.decode(binary, :ok, %{null: nil}) do
      {value, :ok, rest} -> if blank?(rest), do: {:ok, value}, else: {:error, :trailing_data}
    end
  rescue
    error -> {:error, error}
  end

  defp decode_jiffy(binary) do
    {:ok, :jiffy.decode(binary, [:return_maps, {:null_term, nil}])}
  rescue
    error -> {:error, error}
  catch
    thrown -> {:error, thrown}
  end

  defp blank?(rest), do: String.trim(rest) == ""

  # The OTP encoders know `null`, not `nil`, and want string keys; structs are plain maps here.
  defp normalize(nil), do: :null
  defp normalize(%{__struct__: _} = struct), do: normalize(Map.from_struct(struct))
  defp normalize(map) when is_map(map), do: Map.new(map, fn {k, v} -> {key(k), normalize(v)} end)
  defp normalize(list) when is_list(list), do: Enum.map(list, &normalize/1)
  defp normalize(other), do: other

  defp key(k) when is_binary(k), do: k
  defp key(k) when is_atom(k), do: Atom.to_string(k)
  defp key(k), do: to_string(k)
end
