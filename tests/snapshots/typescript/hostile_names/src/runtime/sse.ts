/**
 * Server-sent events of a streaming endpoint (copied verbatim by tinkc), as every SDK reads them.
 *
 * The response body is read whole before the call answers; its events are then parsed as the
 * WHATWG HTML standard interprets an event stream: lines end in CRLF, LF or CR; a leading
 * byte-order mark is dropped; a line starting with `:` is a comment; `field: value` (one space
 * after the colon dropped; a line without a colon is a field with an empty value); the `data`
 * lines of one event are joined with LF; a blank line dispatches the event, and so does the end of
 * the body (it was read whole: nothing is cut off); an event without data is skipped. `event`
 * names the event; `id` and `retry` only matter to a reconnecting reader, which an SDK call is
 * not. Each event's data is decoded as the endpoint's response type when the iteration reaches it.
 */

import { ResponseValidationError } from "./errors.js";
import { type Schema, decodeResponse } from "./schema.js";

export interface ServerSentEvent {
  readonly event: string | null;
  readonly data: string;
}

/** The events of a whole body, in order. */
export function parseEvents(body: string): ServerSentEvent[] {
  const out: ServerSentEvent[] = [];
  let data: string[] = [];
  let name: string | null = null;
  const text = body.startsWith("\uFEFF") ? body.slice(1) : body;
  for (const line of text.split(/\r\n|\n|\r/)) {
    if (line === "") {
      if (data.length > 0) out.push({ event: name, data: data.join("\n") });
      data = [];
      name = null;
      continue;
    }
    if (line.startsWith(":")) continue;
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "data") data.push(value);
    else if (field === "event") name = value;
  }
  if (data.length > 0) out.push({ event: name, data: data.join("\n") });
  return out;
}

/** An event's data as the declared type, or a `ResponseValidationError`. */
export function decodeEvent<T>(schema: Schema<T>, event: ServerSentEvent): T {
  let json: unknown;
  try {
    json = JSON.parse(event.data);
  } catch {
    throw new ResponseValidationError("an event's data is not JSON", event.data.slice(0, 1000));
  }
  return decodeResponse(schema, json);
}

/** The decoded events of a streaming call, in order (`for await`); the body was read whole. Each
 * event is decoded when the iteration reaches it: one that does not decode throws there. */
export class EventStream<T> implements AsyncIterable<T> {
  readonly #events: readonly ServerSentEvent[];
  readonly #schema: Schema<T>;

  constructor(events: readonly ServerSentEvent[], schema: Schema<T>) {
    this.#events = events;
    this.#schema = schema;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    for (const event of this.#events) yield decodeEvent(this.#schema, event);
  }
}
