defmodule Petstore.Runtime.SSE do
  @moduledoc false
  # Server-sent events of a response body read whole, as the WHATWG HTML standard interprets an
  # event stream (the SDK plan's rule, the same in every SDK): lines end in CRLF, LF or CR; a
  # leading byte-order mark is dropped; a line starting with `:` is a comment; `field: value` (one
  # space after the colon dropped; a line without a colon is a field with an empty value); the
  # `data` lines of one event are joined with LF; a blank line dispatches the event, and so does
  # the end of the body (it was read whole: nothing is cut off); an event without data is skipped.
  # `event` names the event; `id` and `retry` only matter to a reconnecting reader, which an SDK
  # call is not.

  @type event :: %{event: String.t() | nil, data: String.t()}

  @doc "The events of `body`, in order."
  @spec events(binary()) :: [event()]
  def events(body) when is_binary(body) do
    {done, pending} =
      body
      |> String.trim_leading("\uFEFF")
      |> String.split(["\r\n", "\n", "\r"])
      |> Enum.reduce({[], empty()}, &line/2)

    Enum.reverse(dispatch(done, pending))
  end

  defp empty, do: %{event: nil, data: []}

  defp line("", {done, pending}), do: {dispatch(done, pending), empty()}
  defp line(":" <> _comment, acc), do: acc

  defp line(text, {done, pending}) do
    {field, value} =
      case String.split(text, ":", parts: 2) do
        [field, " " <> value] -> {field, value}
        [field, value] -> {field, value}
        [field] -> {field, ""}
      end

    case field do
      "data" -> {done, %{pending | data: [value | pending.data]}}
      "event" -> {done, %{pending | event: value}}
      _other -> {done, pending}
    end
  end

  defp dispatch(done, %{data: []}), do: done

  defp dispatch(done, %{event: event, data: data}),
    do: [%{event: event, data: data |> Enum.reverse() |> Enum.join("\n")} | done]
end
