"""Following the pages of a paginated list endpoint (copied verbatim by tinkc).

The rule of each style is the SDK plan's (`PagePlan`), the same in every SDK: `_Follower` decides,
from a page's answer, the next request or the end; `Pager` and `AsyncPager` only send and wait.
A cursor or URL that comes back a second time raises `PaginationError` instead of looping forever.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar
from urllib.parse import parse_qsl, urljoin

import httpx
from pydantic import TypeAdapter

from ._errors import PaginationError
from ._http import Endpoint, decode, parse_body

P = TypeVar("P")
I = TypeVar("I")  # noqa: E741


@dataclass(frozen=True)
class Paging:
    """How the pages of one endpoint follow each other (generated per paginated endpoint).
    Controls are (location, wire name), location `query` or `body`; paths are wire names."""

    style: str  # limit_offset | cursor | next_url
    limit: tuple[str, str] | None = None
    offset: tuple[str, str] | None = None
    total: tuple[str, ...] = ()
    cursor: tuple[str, str] | None = None
    next_field: tuple[str, ...] = ()
    next_header: str | None = None


@dataclass(frozen=True)
class PageRequest:
    endpoint: Endpoint
    path: Mapping[str, object]
    query: Mapping[str, object]
    body: Any


def _dig(data: Any, path: Sequence[str]) -> Any:
    for key in path:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def _get(request: PageRequest, control: tuple[str, str]) -> Any:
    location, wire = control
    source = request.query if location == "query" else request.body if isinstance(request.body, dict) else {}
    return source.get(wire)


def _with(request: PageRequest, control: tuple[str, str], value: Any) -> PageRequest:
    location, wire = control
    if location == "query":
        return dataclasses.replace(request, query={**request.query, wire: value})
    body = request.body if isinstance(request.body, dict) else {}
    return dataclasses.replace(request, body={**body, wire: value})


def _key(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


class _Follower:
    """The next request after each page, by the plan's rule; the cursors and URLs already used."""

    def __init__(self, paging: Paging, first: PageRequest, base_url: str) -> None:
        self.paging = paging
        self.request: PageRequest | None = first
        self.base_url = base_url.rstrip("/")
        self.seen: set[str] = set()
        if paging.cursor is not None and _get(first, paging.cursor) not in (None, ""):
            self.seen.add(_key(_get(first, paging.cursor)))

    def after(self, response: httpx.Response, items: int) -> None:
        """Sets the next request (None: that page was the last)."""
        request = self.request
        assert request is not None
        paging = self.paging
        if paging.style == "limit_offset":
            assert paging.offset is not None
            offset = _get(request, paging.offset) or 0
            limit = _get(request, paging.limit) if paging.limit is not None else None
            total = _dig(parse_body(response), paging.total) if paging.total else None
            moved = int(offset) + items
            last = (
                items == 0
                or (isinstance(limit, int) and items < limit)
                or (isinstance(total, int) and not isinstance(total, bool) and moved >= total)
            )
            self.request = None if last else _with(request, paging.offset, moved)
            return
        if paging.next_header is not None:
            following: Any = response.headers.get(paging.next_header)
        else:
            following = _dig(parse_body(response), paging.next_field)
        if following is None or following == "":
            self.request = None
            return
        key = _key(following)
        if key in self.seen:
            what = "cursor" if paging.style == "cursor" else "next URL"
            raise PaginationError(
                f"{request.endpoint.id}: the {what} {key} was already used: the pages would never end", body=None
            )
        self.seen.add(key)
        if paging.style == "cursor":
            assert paging.cursor is not None
            self.request = _with(request, paging.cursor, following)
            return
        self.request = self._url(request, following)

    def _url(self, request: PageRequest, url: Any) -> PageRequest:
        """The request of a next-page URL: under the base URL (the API key goes to no other host)."""
        resolved = urljoin(self.base_url + "/", str(url))
        if not resolved.startswith(self.base_url + "/"):
            raise PaginationError(
                f"{request.endpoint.id}: the next page's URL {resolved!r} is not under the base URL", body=None
            )
        rest = resolved[len(self.base_url) :].replace("{", "%7B").replace("}", "%7D")
        path, _, query = rest.partition("?")
        return PageRequest(
            endpoint=dataclasses.replace(request.endpoint, path=path),
            path={},
            query=dict(parse_qsl(query, keep_blank_values=True)),
            body=None,
        )


class Pager(Generic[P, I]):
    """The items of every page, in order, fetched as the iteration needs them; `pages()` gives
    the pages themselves. Each iteration starts again from the first page."""

    def __init__(
        self,
        send: Callable[[PageRequest], httpx.Response],
        base_url: str,
        paging: Paging,
        first: PageRequest,
        adapter: TypeAdapter[P],
        items: Callable[[P], Sequence[I]],
    ) -> None:
        self._send = send
        self._base_url = base_url
        self._paging = paging
        self._first = first
        self._adapter = adapter
        self._items = items

    def pages(self) -> Iterator[P]:
        follower = _Follower(self._paging, self._first, self._base_url)
        while follower.request is not None:
            response = self._send(follower.request)
            page = decode(response, self._adapter)
            follower.after(response, len(self._items(page)))
            yield page

    def __iter__(self) -> Iterator[I]:
        for page in self.pages():
            yield from self._items(page)


class AsyncPager(Generic[P, I]):
    """`Pager` for `async for`: the items of every page; `pages()` the pages."""

    def __init__(
        self,
        send: Callable[[PageRequest], Awaitable[httpx.Response]],
        base_url: str,
        paging: Paging,
        first: PageRequest,
        adapter: TypeAdapter[P],
        items: Callable[[P], Sequence[I]],
    ) -> None:
        self._send = send
        self._base_url = base_url
        self._paging = paging
        self._first = first
        self._adapter = adapter
        self._items = items

    async def pages(self) -> AsyncIterator[P]:
        follower = _Follower(self._paging, self._first, self._base_url)
        while follower.request is not None:
            response = await self._send(follower.request)
            page = decode(response, self._adapter)
            follower.after(response, len(self._items(page)))
            yield page

    async def __aiter__(self) -> AsyncIterator[I]:
        async for page in self.pages():
            for item in self._items(page):
                yield item
