/**
 * Chunked calls: a flow step's `chunk:` (copied verbatim by tinkc). How the list is split, sent
 * and combined is the SDK plan's ChunkPlan, the same in every tinkc SDK.
 */

import { InvalidArgumentError } from "./errors.js";
import type { Schema } from "./schema.js";

/** A step's chunking: the limits, the input's name (for errors) and how results combine. */
export interface Chunking<I> {
  readonly input: string;
  readonly item: Schema<I>;
  readonly maxItems: number;
  readonly maxBytes: number;
  readonly combine: readonly (readonly [string, "concat" | "metrics"])[];
}

/**
 * The estimated size of a JSON value: strings and object keys by their UTF-8 bytes, numbers 8,
 * booleans and null 1 (an estimate every SDK computes alike, not the length of one encoding).
 */
export function jsonSize(value: unknown): number {
  if (value === null || value === undefined || typeof value === "boolean") return 1;
  if (typeof value === "number" || typeof value === "bigint") return 8;
  if (typeof value === "string") return utf8Length(value);
  if (Array.isArray(value)) return value.reduce((n: number, v: unknown) => n + jsonSize(v), 0);
  if (typeof value === "object") {
    let n = 0;
    for (const [key, v] of Object.entries(value)) n += utf8Length(key) + jsonSize(v);
    return n;
  }
  return 1;
}

const encoder = new TextEncoder();

function utf8Length(text: string): number {
  return encoder.encode(text).length;
}

/**
 * The items in order, in chunks of at most `maxItems` and about `maxBytes`; an item larger than
 * `maxBytes` alone is an `InvalidArgumentError`. An empty list is one chunk.
 */
export function split<I>(chunking: Chunking<I>, items: readonly I[]): I[][] {
  const chunks: I[][] = [];
  let current: I[] = [];
  let size = 0;
  items.forEach((item, index) => {
    const estimate = jsonSize(chunking.item.encode(item));
    if (estimate > chunking.maxBytes)
      throw new InvalidArgumentError(
        `item ${index} of \`${chunking.input}\` is about ${estimate} bytes: ` +
          `more than one request carries (${chunking.maxBytes})`,
      );
    if (
      current.length > 0 &&
      (current.length === chunking.maxItems || size + estimate > chunking.maxBytes)
    ) {
      chunks.push(current);
      current = [];
      size = 0;
    }
    current.push(item);
    size += estimate;
  });
  chunks.push(current);
  return chunks;
}

/**
 * The chunks' results as one, in chunk order: `concat` fields joined, `metrics` fields reduced,
 * every other field the first chunk's.
 */
export function combined<T>(
  chunking: Chunking<unknown>,
  results: readonly T[],
  counts: number[],
): T {
  const first = results[0] as T;
  if (results.length === 1) return first;
  const out: Record<string, unknown> = { ...(first as Record<string, unknown>) };
  for (const [field, how] of chunking.combine) {
    const values = results.map((r) => (r as Record<string, unknown>)[field]);
    out[field] =
      how === "concat"
        ? values.flatMap((v) => (Array.isArray(v) ? (v as unknown[]) : []))
        : reduceMetrics(
            values.map((v) => (v ?? {}) as Record<string, number>),
            counts,
          );
  }
  return out as T;
}

/**
 * Each key of the first chunk's metrics that every chunk has, reduced by the suffix after its
 * last `:`: `mean` (weighted), `sum`, `min`, `max`, `slack` (max minus the weighted mean); keys
 * without a known suffix are dropped, as Tinker's SDK drops them.
 */
export function reduceMetrics(
  metrics: readonly Record<string, number>[],
  weights: readonly number[],
): Record<string, number> {
  const out: Record<string, number> = {};
  const first = metrics[0] ?? {};
  const total = weights.reduce((a, b) => a + b, 0);
  for (const key of Object.keys(first)) {
    const colon = key.lastIndexOf(":");
    const values = metrics.map((m) => m[key]);
    if (colon < 0 || !values.every((v): v is number => typeof v === "number")) continue;
    const numbers = values as number[];
    const sum = numbers.reduce((a, b) => a + b, 0);
    const mean =
      total > 0
        ? numbers.reduce((a, v, i) => a + v * (weights[i] ?? 0), 0) / total
        : sum / numbers.length;
    const reduction = key.slice(colon + 1);
    if (reduction === "mean") out[key] = mean;
    else if (reduction === "sum") out[key] = sum;
    else if (reduction === "min") out[key] = Math.min(...numbers);
    else if (reduction === "max") out[key] = Math.max(...numbers);
    else if (reduction === "slack") out[key] = Math.max(...numbers) - mean;
  }
  return out;
}
