/**
 * Following the pages of a paginated list endpoint (copied verbatim by tinkc).
 *
 * The rule of each style is the SDK plan's (`PagePlan`), the same in every SDK: `Follower` decides,
 * from a page's answer, the next request or the end; `Pager` only sends. A cursor or URL that comes
 * back a second time throws `PaginationError` instead of looping forever.
 */

import { PaginationError } from "./errors.js";
import { type Answer, type Endpoint, type Request, jsonBody, parseBody } from "./http.js";
import { type Schema, decodeResponse } from "./schema.js";

/** A page control: where it goes (`query` or `body`) and its wire name. */
export type PageControl = readonly ["query" | "body", string];

/** How the pages of one endpoint follow each other (generated per paginated endpoint). */
export interface Paging {
  readonly style: "limit_offset" | "cursor" | "next_url";
  readonly limit?: PageControl;
  readonly offset?: PageControl;
  /** Wire path of the total item count in a page. */
  readonly total?: readonly string[];
  readonly cursor?: PageControl;
  /** Wire path of the next cursor or URL in a page. */
  readonly nextField?: readonly string[];
  /** The response header carrying the next cursor or URL. */
  readonly nextHeader?: string;
}

interface PageRequest {
  readonly endpoint: Endpoint;
  readonly request: Request;
}

type Send = (endpoint: Endpoint, request: Request) => Promise<Answer>;

function dig(data: unknown, path: readonly string[]): unknown {
  let value = data;
  for (const key of path) {
    if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

function controlOf(request: Request, [location, wire]: PageControl): unknown {
  const source = location === "query" ? request.query : request.body;
  if (typeof source !== "object" || source === null) return undefined;
  return (source as Record<string, unknown>)[wire];
}

function withControl(request: Request, [location, wire]: PageControl, value: unknown): Request {
  if (location === "query") return { ...request, query: { ...request.query, [wire]: value } };
  const body = typeof request.body === "object" && request.body !== null ? request.body : {};
  return { ...request, body: { ...body, [wire]: value } };
}

/** The JSON text of a value with sorted keys: equal cursors give equal keys. */
function keyOf(value: unknown): string {
  const sorted = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sorted);
    if (typeof v !== "object" || v === null) return v;
    const entries = Object.entries(v as Record<string, unknown>).sort(([a], [b]) =>
      a < b ? -1 : a > b ? 1 : 0,
    );
    return Object.fromEntries(entries.map(([k, x]) => [k, sorted(x)]));
  };
  return JSON.stringify(sorted(value));
}

/** The next request after each page, by the plan's rule; the cursors and URLs already used. */
class Follower {
  next: PageRequest | null;
  private readonly seen = new Set<string>();
  private readonly baseUrl: string;

  constructor(
    private readonly paging: Paging,
    first: PageRequest,
    baseUrl: string,
  ) {
    this.next = first;
    this.baseUrl = baseUrl.replace(/\/+$/, "");
    const given = paging.cursor === undefined ? undefined : controlOf(first.request, paging.cursor);
    if (given !== undefined && given !== null && given !== "") this.seen.add(keyOf(given));
  }

  after(answer: Answer, items: number): void {
    const current = this.next;
    if (current === null) return;
    const paging = this.paging;
    if (paging.style === "limit_offset") {
      const offsetControl = paging.offset as PageControl;
      const offset = Number(controlOf(current.request, offsetControl) ?? 0);
      const limit =
        paging.limit === undefined ? undefined : controlOf(current.request, paging.limit);
      const total = paging.total === undefined ? undefined : dig(parseBody(answer), paging.total);
      const moved = offset + items;
      const last =
        items === 0 ||
        (typeof limit === "number" && items < limit) ||
        (typeof total === "number" && moved >= total);
      this.next = last
        ? null
        : { ...current, request: withControl(current.request, offsetControl, moved) };
      return;
    }
    const following =
      paging.nextHeader !== undefined
        ? answer.headers.get(paging.nextHeader)
        : dig(parseBody(answer), paging.nextField ?? []);
    if (following === undefined || following === null || following === "") {
      this.next = null;
      return;
    }
    const key = keyOf(following);
    if (this.seen.has(key)) {
      const what = paging.style === "cursor" ? "cursor" : "next URL";
      throw new PaginationError(
        `${current.endpoint.id}: the ${what} ${key} was already used: the pages would never end`,
        null,
      );
    }
    this.seen.add(key);
    if (paging.style === "cursor") {
      const cursor = paging.cursor as PageControl;
      this.next = { ...current, request: withControl(current.request, cursor, following) };
      return;
    }
    this.next = this.urlRequest(current, String(following));
  }

  /** The request of a next-page URL: under the base URL (the API key goes to no other host). */
  private urlRequest(current: PageRequest, url: string): PageRequest {
    const resolved = new URL(url, this.baseUrl + "/").href;
    if (!resolved.startsWith(this.baseUrl + "/")) {
      throw new PaginationError(
        `${current.endpoint.id}: the next page's URL ${JSON.stringify(resolved)} is not under the base URL`,
        null,
      );
    }
    const rest = resolved.slice(this.baseUrl.length).replace(/\{/g, "%7B").replace(/\}/g, "%7D");
    const mark = rest.indexOf("?");
    const path = mark < 0 ? rest : rest.slice(0, mark);
    const query: Record<string, string> = {};
    if (mark >= 0) for (const [k, v] of new URLSearchParams(rest.slice(mark + 1))) query[k] = v;
    // the URL carries the page's parameters: no path parameters, no body; the call's options stay
    const { path: _path, query: _query, body: _body, ...options } = current.request;
    return { endpoint: { ...current.endpoint, path }, request: { ...options, query } };
  }
}

/**
 * The items of every page, in order, fetched as the iteration needs them (`for await`); `pages()`
 * gives the pages themselves. Each iteration starts again from the first page.
 */
export class Pager<P, I> implements AsyncIterable<I> {
  constructor(
    private readonly send: Send,
    private readonly baseUrl: string,
    private readonly paging: Paging,
    private readonly first: PageRequest,
    private readonly schema: Schema<P>,
    private readonly itemsOf: (page: P) => readonly I[],
  ) {}

  async *pages(): AsyncGenerator<P, void, undefined> {
    const follower = new Follower(this.paging, this.first, this.baseUrl);
    while (follower.next !== null) {
      const answer = await this.send(follower.next.endpoint, follower.next.request);
      const page = decodeResponse(this.schema, jsonBody(answer));
      follower.after(answer, this.itemsOf(page).length);
      yield page;
    }
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<I, void, undefined> {
    for await (const page of this.pages()) yield* this.itemsOf(page);
  }
}

/** A pager of an endpoint, from the request its plain method sends. */
export function pager<P, I>(
  send: Send,
  baseUrl: string,
  paging: Paging,
  endpoint: Endpoint,
  request: Request,
  schema: Schema<P>,
  itemsOf: (page: P) => readonly I[],
): Pager<P, I> {
  return new Pager(send, baseUrl, paging, { endpoint, request }, schema, itemsOf);
}
