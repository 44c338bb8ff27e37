# Elixir's parser (`Code.string_to_quoted/2`) as a long-lived process, so that thousands of emitted
# files do not each pay the VM's start-up (tests/support/parsecheck.py drives it).
#
#   elixir parse_elixir.exs
#
# stdin, per file: a line `FILE <bytes of the path> <bytes of the text>`, then the path and the text
# (UTF-8, no separator); a line `END` ends a batch. At the end of each batch, per file of the batch
# in order: a line `ok`, or a line `error <line> <column> <bytes of the message>` followed by the
# message. Answers are written only when the batch is complete, so the writer may send a whole
# batch before it reads (neither side ever blocks on a full pipe).

defmodule ParseCheck do
  def loop(answers) do
    case IO.binread(:stdio, :line) do
      :eof ->
        :ok

      {:error, reason} ->
        raise "cannot read stdin: #{inspect(reason)}"

      "END\n" ->
        IO.binwrite(:stdio, answers |> Enum.reverse() |> IO.iodata_to_binary())
        loop([])

      "FILE " <> sizes ->
        [path_size, text_size] = sizes |> String.trim() |> String.split(" ") |> Enum.map(&String.to_integer/1)
        path = read(path_size)
        text = read(text_size)
        loop([answer(path, text) | answers])
    end
  end

  defp read(0), do: ""

  defp read(size) do
    data = IO.binread(:stdio, size)
    if byte_size(data) != size, do: raise("short read: #{byte_size(data)} of #{size} bytes")
    data
  end

  defp answer(path, text) do
    result =
      try do
        Code.string_to_quoted(text, file: path, columns: true)
      rescue
        error -> {:error, {[line: 0, column: 0], "the parser raised: " <> Exception.message(error), ""}}
      end

    case result do
      {:ok, _} ->
        "ok\n"

      {:error, {meta, message, token}} ->
        text = message(message, to_string(token))
        line = if is_list(meta), do: Keyword.get(meta, :line, 0), else: meta
        column = if is_list(meta), do: Keyword.get(meta, :column, 0), else: 0
        "error #{line} #{column} #{byte_size(text)}\n" <> text
    end
  end

  # as Elixir's own error does: the offending token after the message, or between its two parts
  defp message({prefix, suffix}, token), do: to_string(prefix) <> token <> to_string(suffix)
  defp message(message, token), do: to_string(message) <> token
end

# raw bytes in and out: no encoding of stdio gets in the way of the byte counts
:ok = :io.setopts(:standard_io, binary: true, encoding: :latin1)
ParseCheck.loop([])
