defmodule Uploads.Runtime.Pagination do
  @moduledoc false
  # Following the pages of a paginated list endpoint. The rule of each style is the SDK plan's
  # (`PagePlan`), the same in every SDK: `after_page/6` decides, from a page's answer, the next
  # request or the end; `stream/5` only fetches, lazily, as the stream is consumed. A cursor or URL
  # that comes back a second time is a `:pagination` error instead of an endless stream.

  alias Uploads.Error
  alias Uploads.Runtime.JSON
  alias Uploads.Runtime.Request

  # `style`, and per style: `limit`, `offset`, `cursor` ({:query | :body, wire name}), `total`,
  # `next_field` (wire paths), `next_header`.
  @type paging :: %{
          required(:style) => :limit_offset | :cursor | :next_url,
          optional(atom()) => term()
        }
  @type page_request :: %{endpoint: term(), path: map(), query: map(), body: term()}
  @type fetch :: (page_request() -> {:ok, Request.response(), term()} | {:error, Error.t()})

  @doc """
  The pages, fetched as the stream is consumed; each enumeration starts again from the first
  page. A page that fails (or does not follow the previous one) raises its `Error`.
  """
  @spec stream(paging(), page_request(), String.t(), fetch(), (term() -> list())) ::
          Enumerable.t()
  def stream(paging, first, base_url, fetch, items) do
    base = String.trim_trailing(base_url, "/")

    Stream.unfold({first, seen(paging, first)}, fn
      {nil, _seen} ->
        nil

      {request, seen} ->
        with {:ok, response, page} <- fetch.(request),
             {:ok, next, seen} <-
               after_page(paging, request, response, length(items.(page)), seen, base) do
          {page, {next, seen}}
        else
          {:error, %Error{} = error} -> raise error
        end
    end)
  end

  defp seen(%{cursor: control}, first) do
    case get(first, control) do
      given when given in [nil, ""] -> MapSet.new()
      given -> MapSet.new([JSON.encode!(given)])
    end
  end

  defp seen(_paging, _first), do: MapSet.new()

  @doc "The request after a page of `items` items (`nil`: it was the last), by the plan's rule."
  @spec after_page(
          paging(),
          page_request(),
          Request.response(),
          non_neg_integer(),
          MapSet.t(),
          String.t()
        ) ::
          {:ok, page_request() | nil, MapSet.t()} | {:error, Error.t()}
  def after_page(%{style: :limit_offset} = paging, request, response, items, seen, _base) do
    offset = get(request, paging.offset) || 0
    limit = if paging[:limit], do: get(request, paging.limit)
    total = if paging[:total], do: dig(body(response), paging.total)
    moved = offset + items

    last? =
      items == 0 or (is_integer(limit) and items < limit) or
        (is_integer(total) and moved >= total)

    {:ok, if(last?, do: nil, else: put(request, paging.offset, moved)), seen}
  end

  def after_page(paging, request, response, _items, seen, base) do
    following =
      case paging[:next_header] do
        nil -> dig(body(response), paging[:next_field] || [])
        header -> Request.header(response.headers, String.downcase(header))
      end

    key = if following in [nil, ""], do: nil, else: JSON.encode!(following)

    cond do
      key == nil ->
        {:ok, nil, seen}

      MapSet.member?(seen, key) ->
        what = if paging.style == :cursor, do: "cursor", else: "next URL"

        {:error,
         error(
           "#{request.endpoint.id}: the #{what} #{key} was already used: the pages would never end"
         )}

      paging.style == :cursor ->
        {:ok, put(request, paging.cursor, following), MapSet.put(seen, key)}

      true ->
        with {:ok, next} <- url_request(request, to_string(following), base) do
          {:ok, next, MapSet.put(seen, key)}
        end
    end
  end

  # The request of a next-page URL: under the base URL (the API key goes to no other host), with
  # the URL's own query and no path parameters or body.
  defp url_request(request, url, base) do
    resolved = base |> Kernel.<>("/") |> URI.merge(url) |> URI.to_string()

    if String.starts_with?(resolved, base <> "/") do
      rest =
        resolved
        |> String.replace_prefix(base, "")
        |> String.replace("{", "%7B")
        |> String.replace("}", "%7D")

      {path, query} =
        case String.split(rest, "?", parts: 2) do
          [path, query] -> {path, URI.decode_query(query)}
          [path] -> {path, %{}}
        end

      {:ok,
       %{request | endpoint: %{request.endpoint | path: path}, path: %{}, query: query, body: nil}}
    else
      {:error,
       error(
         "#{request.endpoint.id}: the next page's URL #{inspect(resolved)} is not under the base URL"
       )}
    end
  end

  defp error(message),
    do: Error.new(:validation, message, data: %{reason: :pagination, body: nil})

  defp body(%{body: ""}), do: nil

  defp body(%{body: body}) do
    case JSON.decode(body) do
      {:ok, term} -> term
      {:error, _} -> nil
    end
  end

  defp dig(data, []), do: data
  defp dig(%{} = data, [key | rest]), do: dig(Map.get(data, key), rest)
  defp dig(_data, _path), do: nil

  defp get(request, {:query, wire}), do: Map.get(request.query, wire)
  defp get(%{body: %{} = body}, {:body, wire}), do: Map.get(body, wire)
  defp get(_request, {:body, _wire}), do: nil

  defp put(request, {:query, wire}, value),
    do: %{request | query: Map.put(request.query, wire, value)}

  defp put(request, {:body, wire}, value),
    do: %{request | body: Map.put(request.body || %{}, wire, value)}
end
