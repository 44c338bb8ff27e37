/**
 * Runtime descriptions of the API's types (copied verbatim by tinkc): every generated type has a
 * schema of the same name that decodes a JSON value into it, checking its shape on the way, and
 * encodes it back to JSON with the wire names and the declared defaults.
 *
 * Decoding is what makes a wrong answer of the server a `ResponseValidationError` instead of a
 * crash far away from the request. It is tolerant where the API says to be: an enum accepts values
 * it does not know, a discriminated union keeps a variant with an unknown tag as it came, and an
 * optional field sent as `null` counts as absent. Unknown fields of a record are dropped.
 */

import { InvalidArgumentError, ResponseValidationError } from "./errors.js";

export interface Schema<T> {
  /** What the schema describes, for messages: `a string`, `Checkpoint`. */
  readonly description: string;
  /** `null` is a value of the type. */
  readonly nullable: boolean;
  /** The value as this type; throws `Mismatch` (with where, as `$.a[0].b`) when it is not. */
  decode(value: unknown, path: string): T;
  /**
   * The JSON form of a value: wire names, declared defaults filled in. `complete`: every declared
   * field of a record is there, an absent one as `null` (how the other SDKs dump a value).
   */
  encode(value: T, complete?: boolean): unknown;
  /** A cheap structural test, used to pick the member of an untagged union to encode with. */
  accepts(value: unknown): boolean;
  /** Records: how many keys of an object the record declares, by wire or property name (picks an
   * untagged union's member). */
  recognized?(value: { [key: string]: unknown }): number;
}

/** A value that does not have its declared type. */
export class Mismatch extends Error {
  readonly path: string;

  constructor(path: string, expected: string, got: unknown) {
    super(`${path}: expected ${expected}, got ${show(got)}`);
    this.path = path;
  }
}

function show(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "an object";
  const text = JSON.stringify(value);
  return text.length > 40 ? `${typeof value} ${text.slice(0, 37)}...` : `${typeof value} ${text}`;
}

type JsonObject = { readonly [key: string]: unknown };

function isObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function own(value: JsonObject, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(value, key) ? value[key] : undefined;
}

/** `out[key] = value`, also for keys such as `__proto__` that an assignment would not create. */
function put(out: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
}

function scalar<T>(description: string, test: (value: unknown) => boolean): Schema<T> {
  return {
    description,
    nullable: false,
    decode(value, path) {
      if (!test(value)) throw new Mismatch(path, description, value);
      return value as T;
    },
    encode: (value) => value,
    accepts: test,
  };
}

const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATETIME = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}(:?\d{2})?)?$/;

export const string: Schema<string> = scalar("a string", (v) => typeof v === "string");
export const int: Schema<number> = scalar("an integer", (v) => Number.isInteger(v));
export const float: Schema<number> = scalar(
  "a number",
  (v) => typeof v === "number" && Number.isFinite(v),
);
export const bool: Schema<boolean> = scalar("a boolean", (v) => typeof v === "boolean");
/** Binary data, base64 in JSON and in this SDK. */
export const bytes: Schema<string> = scalar(
  "base64 text",
  (v) => typeof v === "string" && BASE64.test(v),
);
/** An ISO 8601 date-time, kept as the text the server sent. */
export const datetime: Schema<string> = scalar(
  "an ISO 8601 date-time",
  (v) =>
    typeof v === "string" && DATETIME.test(v) && !Number.isNaN(Date.parse(v.replace(" ", "T"))),
);
/** An ISO 8601 date (`2025-03-02`). */
export const date: Schema<string> = scalar(
  "an ISO 8601 date",
  (v) => typeof v === "string" && DATE.test(v),
);
/** Any JSON value. */
export const unknown: Schema<unknown> = {
  ...scalar<unknown>("any value", () => true),
  nullable: true,
};

/** What an answer carrying nothing the caller reads decodes to (a future without a response type). */
export const nothing: Schema<void> = {
  ...scalar<unknown>("any value", () => true),
  nullable: true,
  decode: () => undefined,
};

/** One of the given literal values. */
export function literal<T extends string | number>(...values: readonly T[]): Schema<T> {
  const description = values.map((v) => JSON.stringify(v)).join(" or ");
  return scalar(description, (v) => values.includes(v as T));
}

/** A string enum that accepts values it does not know: a newer server may send them. */
export function enumeration<T extends string>(
  name: string,
  values: readonly string[],
): Schema<T> & { readonly values: readonly string[] } {
  return { ...scalar<T>(`${name} (a string)`, (v) => typeof v === "string"), values };
}

export function nullable<T>(inner: Schema<T>): Schema<T | null> {
  return {
    get description() {
      return `${inner.description} or null`;
    },
    nullable: true,
    decode: (value, path) => (value === null ? null : inner.decode(value, path)),
    encode: (value, complete) => (value === null ? null : inner.encode(value, complete)),
    accepts: (value) => value === null || inner.accepts(value),
  };
}

export function list<T>(item: Schema<T>): Schema<T[]> {
  return {
    get description() {
      return `a list of ${item.description}`;
    },
    nullable: false,
    decode(value, path) {
      if (!Array.isArray(value)) throw new Mismatch(path, this.description, value);
      return value.map((v, i) => item.decode(v, `${path}[${i}]`));
    },
    encode: (value, complete) =>
      Array.isArray(value) ? value.map((v) => item.encode(v, complete)) : value,
    accepts: (value) => Array.isArray(value),
  };
}

/** A JSON object with string keys and values of one type. */
export function map<T>(value: Schema<T>): Schema<{ [key: string]: T }> {
  return {
    get description() {
      return `an object of ${value.description}`;
    },
    nullable: false,
    decode(data, path) {
      if (!isObject(data)) throw new Mismatch(path, this.description, data);
      const out: Record<string, T> = {};
      for (const [k, v] of Object.entries(data))
        put(out, k, value.decode(v, `${path}[${JSON.stringify(k)}]`));
      return out;
    },
    encode(data, complete) {
      if (!isObject(data)) return data;
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(data))
        put(out, k, v === undefined ? v : value.encode(v, complete));
      return out;
    },
    accepts: isObject,
  };
}

/** A declared type used before its schema is defined (recursive types, any declaration order). */
export function lazy<T>(target: () => Schema<T>): Schema<T> {
  return {
    get description() {
      return target().description;
    },
    get nullable() {
      return target().nullable;
    },
    decode: (value, path) => target().decode(value, path),
    encode: (value, complete) => target().encode(value, complete),
    accepts: (value) => target().accepts(value),
    recognized: (value) => target().recognized?.(value) ?? 0,
  };
}

export interface Field {
  readonly schema: Schema<unknown>;
  /** The key on the wire when it differs from the property name. */
  readonly wire?: string;
  /** `required`: the key must be present; `optional`: it may be absent; `default`: absent means `value`. */
  readonly presence: "required" | "optional" | "default";
  /** The declared default, in its JSON form. */
  readonly value?: unknown;
}

export function required<T>(schema: Schema<T>, wire?: string): Field {
  return {
    schema: schema as Schema<unknown>,
    presence: "required",
    ...(wire === undefined ? {} : { wire }),
  };
}

export function optional<T>(schema: Schema<T>, wire?: string): Field {
  return {
    schema: schema as Schema<unknown>,
    presence: "optional",
    ...(wire === undefined ? {} : { wire }),
  };
}

export function withDefault<T>(schema: Schema<T>, value: unknown, wire?: string): Field {
  return {
    schema: schema as Schema<unknown>,
    presence: "default",
    value,
    ...(wire === undefined ? {} : { wire }),
  };
}

/** A record: its fields by property name, given as a thunk so that they may name any schema. */
/**
 * A derived field: `[property, source property, parse template, variable]`. When decoding leaves
 * the property out, it is the template's variable matched against the source (a string); text that
 * does not match leaves it out (`Checkpoint.training_run_id` from `tinker_path`).
 */
export type Derived = readonly [string, string, string, string];

export function record<T>(
  name: string,
  fields: () => { readonly [property: string]: Field },
  derived: readonly Derived[] = [],
): Schema<T> {
  let cache: [string, string, Field][] | undefined;
  const entries = (): [string, string, Field][] =>
    (cache ??= Object.entries(fields()).map(([key, f]) => [key, f.wire ?? key, f]));
  return {
    description: name,
    nullable: false,
    decode(value, path) {
      if (!isObject(value)) throw new Mismatch(path, `an object (${name})`, value);
      const out: Record<string, unknown> = {};
      for (const [key, wire, f] of entries()) {
        const raw = own(value, wire);
        const where = `${path}.${wire}`;
        if (
          raw === undefined ||
          (raw === null && f.presence === "optional" && !f.schema.nullable)
        ) {
          if (f.presence === "required") throw new Mismatch(where, f.schema.description, raw);
          // a fresh copy: a default must not be shared between decoded values
          if (f.presence === "default")
            put(out, key, f.schema.decode(structuredClone(f.value), where));
          continue;
        }
        put(out, key, f.schema.decode(raw, where));
      }
      for (const [key, source, template, variable] of derived) {
        const text = own(out, source);
        if (own(out, key) !== undefined || typeof text !== "string") continue;
        const values = templateValues(template, text);
        if (values !== undefined) put(out, key, values[variable]);
      }
      return out as T;
    },
    encode(value, complete) {
      if (!isObject(value)) return value;
      const out: Record<string, unknown> = {};
      for (const [key, wire, f] of entries()) {
        const given = own(value, key);
        // an optional field given as null is left out like an absent one (the plan's absent-field
        // rule, the same in every SDK); only a required field that may be null is sent as null
        if (given === undefined || (given === null && f.presence !== "required")) {
          if (f.presence === "default") put(out, wire, structuredClone(f.value));
          else if (complete) put(out, wire, null);
          continue;
        }
        put(out, wire, given === null ? null : f.schema.encode(given, complete));
      }
      return out;
    },
    accepts(value) {
      return (
        isObject(value) &&
        entries().every(([key, , f]) => f.presence !== "required" || own(value, key) !== undefined)
      );
    },
    recognized: (value) =>
      entries().filter(
        ([key, wire]) => own(value, wire) !== undefined || own(value, key) !== undefined,
      ).length,
  };
}

/**
 * A union discriminated by the string in `field` (`wire` on the wire). A tag this SDK does not know
 * is kept as it came: the value is returned with all its fields, unchecked.
 */
export function tagged<T>(
  name: string,
  field: string,
  wire: string,
  variants: () => { readonly [tag: string]: Schema<unknown> },
): Schema<T> {
  const variant = (tag: unknown): Schema<unknown> | undefined => {
    const all = variants();
    return typeof tag === "string" && Object.prototype.hasOwnProperty.call(all, tag)
      ? all[tag]
      : undefined;
  };
  return {
    description: name,
    nullable: false,
    decode(value, path) {
      if (!isObject(value)) throw new Mismatch(path, `an object (${name})`, value);
      const tag = own(value, wire);
      if (typeof tag !== "string") throw new Mismatch(`${path}.${wire}`, `the tag of ${name}`, tag);
      const known = variant(tag);
      return (known === undefined ? value : known.decode(value, path)) as T;
    },
    encode(value, complete) {
      const known = isObject(value) ? variant(own(value, field)) : undefined;
      return known === undefined ? value : known.encode(value, complete);
    },
    accepts: (value) => isObject(value) && typeof own(value, field) === "string",
  };
}

/**
 * An untagged union, decoded by the rule every SDK applies: of the members the value decodes as,
 * the one that declares the most of its keys; on a tie the one declared first. Never merely the
 * first that fits: a record whose fields are all optional fits any object.
 */
export function oneOf<T>(name: string, members: () => readonly Schema<unknown>[]): Schema<T> {
  return {
    description: name,
    get nullable() {
      return members().some((m) => m.nullable);
    },
    decode(value, path) {
      let best: { decoded: unknown; score: number } | undefined;
      for (const member of members()) {
        const score = isObject(value) ? (member.recognized?.(value) ?? 0) : 0;
        if (best !== undefined && score <= best.score) continue;
        try {
          best = { decoded: member.decode(value, path), score };
        } catch (error) {
          if (!(error instanceof Mismatch)) throw error;
        }
      }
      if (best === undefined) throw new Mismatch(path, name, value);
      return best.decoded as T;
    },
    encode(value, complete) {
      // the member chosen as decoding chooses it: the one that accepts the value and declares the
      // most of its keys (by property or wire name), the first declared on a tie
      let best: { member: Schema<unknown>; score: number } | undefined;
      for (const member of members()) {
        if (!member.accepts(value)) continue;
        const score = isObject(value) ? (member.recognized?.(value) ?? 0) : 0;
        if (best === undefined || score > best.score) best = { member, score };
      }
      return best === undefined ? value : best.member.encode(value, complete);
    },
    accepts: (value) => members().some((m) => m.accepts(value)),
  };
}

/** Decode a response body; a wrong shape is a `ResponseValidationError`. */
export function decodeResponse<T>(schema: Schema<T>, body: unknown): T {
  try {
    return schema.decode(body, "$");
  } catch (error) {
    if (error instanceof Mismatch) {
      throw new ResponseValidationError(
        `the response does not have the declared shape: ${error.message}`,
        body,
      );
    }
    throw error;
  }
}

/** The JSON form of a value of a schema's type (wire names, defaults filled in). */
export function encode<T>(schema: Schema<T>, value: T): unknown {
  return schema.encode(value);
}

// A parse template's variables: `{name}` (one segment, no `/`) and `{+name}` (any text).
const TEMPLATE_VARIABLE = /(\{\+?[A-Za-z_][A-Za-z0-9_]*\})/;

/**
 * Splits `text` by a type's parse template (`tinker://{training_run_id}/{+checkpoint_id}`) into
 * its variables and decodes them as `schema`, as every tinkc SDK does: the literal parts must
 * appear as written; a variable runs to the first occurrence of the literal after it (the end, for
 * the last one), is never empty, and a `{name}` one holds no `/`. Anything else is an
 * `InvalidArgumentError` (a typed error, never a crash on malformed input).
 */
export function parseTemplate<T>(schema: Schema<T>, template: string, text: unknown): T {
  const out = templateValues(template, text);
  if (out === undefined)
    throw new InvalidArgumentError(`${JSON.stringify(text)} does not match \`${template}\``);
  return schema.decode(out, "$");
}

/** The variables of `text` split by a parse template, or undefined when it does not match. */
function templateValues(template: string, text: unknown): Record<string, string> | undefined {
  const parts = template.split(TEMPLATE_VARIABLE); // literal, variable, literal, ..., literal
  const out: Record<string, string> = {};
  let pos = 0;
  let matched = typeof text === "string";
  for (let i = 0; matched && typeof text === "string" && i < parts.length; i++) {
    const part = parts[i] ?? "";
    if (i % 2 === 0) {
      matched = text.startsWith(part, pos);
      pos += part.length;
      continue;
    }
    const raw = part[1] === "+";
    const following = parts[i + 1] ?? "";
    const end = following === "" ? text.length : text.indexOf(following, pos);
    const value = end >= 0 ? text.slice(pos, end) : "";
    matched = value !== "" && (raw || !value.includes("/"));
    put(out, part.slice(raw ? 2 : 1, -1), value);
    pos = end;
  }
  if (!matched || typeof text !== "string" || pos !== text.length) return undefined;
  return out;
}

/** A type helper's argument in its JSON form (undefined and null: left out). */
export function wire<T>(schema: Schema<T>, value: T | undefined | null): unknown {
  return value === undefined || value === null ? undefined : schema.encode(value);
}

function dropAbsent(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(dropAbsent);
  if (!isObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value))
    if (item !== undefined && item !== null) put(out, key, dropAbsent(item));
  return out;
}

/**
 * A record built by a type helper (`modelInputFromInts`): `json` is its JSON form with the
 * arguments in place (an absent one left out); what does not fit is an `InvalidArgumentError`,
 * as in every tinkc SDK.
 */
export function construct<T>(schema: Schema<T>, json: unknown): T {
  try {
    return schema.decode(dropAbsent(json), "$");
  } catch (error) {
    if (error instanceof Mismatch)
      throw new InvalidArgumentError(`${schema.description}: ${error.message}`);
    throw error;
  }
}

/**
 * A copy of `value` with `item` (JSON, the arguments in place) appended to its list `field` (wire
 * names), as in every tinkc SDK: with `merge` = [list, discriminator, tag], an item of the last
 * item's kind (its discriminator equal to the tag; any, when null) extends that item's list
 * instead. Done in JSON form and decoded back: what does not fit is an `InvalidArgumentError`.
 */
export function push<T>(
  schema: Schema<T>,
  value: T,
  field: string,
  item: unknown,
  merge: readonly [string, string | null, string | null] | null,
): T {
  const json = schema.encode(value);
  const data: Record<string, unknown> = isObject(json) ? { ...json } : {};
  const found = own(data, field);
  const items: unknown[] = Array.isArray(found) ? [...(found as unknown[])] : [];
  const last = items[items.length - 1];
  if (merge !== null && isObject(last) && (merge[1] === null || own(last, merge[1]) === merge[2])) {
    const [key] = merge;
    const before = own(last, key);
    const added = isObject(item) ? own(item, key) : undefined;
    items[items.length - 1] = {
      ...last,
      [key]: [...(Array.isArray(before) ? before : []), ...(Array.isArray(added) ? added : [])],
    };
  } else {
    items.push(item);
  }
  put(data, field, items);
  return construct(schema, data);
}

/**
 * A step of a helper's `get` path: null is every item of a list, a string a property, and
 * `[property, discriminator, tags]` a property of a union item that only the variants with those
 * tags have.
 */
export type PathStep = null | string | readonly [string, string, readonly string[]];

/**
 * What a type helper's `get` path reads out of `value`, as in every tinkc SDK: every item of a
 * list (an absent list is empty; items stream on, so two list steps flatten), a property (absent,
 * as null, on an absent value), or a property of a union item of the given variants (another item
 * is an `InvalidArgumentError`).
 */
export function project(value: unknown, path: readonly PathStep[]): unknown {
  let values: unknown[] = [value];
  let many = false;
  for (const step of path) {
    if (step === null) {
      values = values.flatMap((v) => (Array.isArray(v) ? (v as unknown[]) : []));
      many = true;
      continue;
    }
    values = values.map((v) => {
      if (!isObject(v)) return null;
      if (typeof step !== "string") {
        const [key, discriminator, tags] = step;
        const tag = own(v, discriminator);
        if (typeof tag !== "string" || !tags.includes(tag))
          throw new InvalidArgumentError(`${JSON.stringify(v)} has no field ${key}`);
        return own(v, key) ?? null;
      }
      return own(v, step) ?? null;
    });
  }
  return many ? values : values[0];
}

/**
 * What a type helper's expression answers for `value`, as in every tinkc SDK: `["path", steps]`
 * reads a path; `["key", of, key]` a map's value (absent: null); `["call", of, many, cases]` each
 * item's own helper, the case whose discriminator has its tag (null, null: any item; no case is an
 * `InvalidArgumentError`, an absent item null); `["len", of]`, `["sum", of]` (absent: 0),
 * `["required", of]` (absent: an `InvalidArgumentError`), `["json", of, schema]` (its JSON form);
 * `["==" | "!=" | "in", of, literals]` a
 * boolean; `["const", literal]`.
 */
export type Expr = readonly unknown[];

export function evaluate<T>(value: unknown, expr: Expr): T {
  return evaluated(value, expr) as T;
}

function evaluated(value: unknown, expr: Expr): unknown {
  const op = expr[0];
  if (op === "path") return project(value, expr[1] as readonly PathStep[]);
  if (op === "const") return expr[1];
  const of = evaluated(value, expr[1] as Expr);
  switch (op) {
    case "key":
      return isObject(of) ? (own(of, expr[2] as string) ?? null) : null;
    case "call": {
      const many = expr[2] as boolean;
      const cases = expr[3] as readonly (readonly [string | null, string | null, Expr])[];
      const items: unknown[] = many ? (Array.isArray(of) ? (of as unknown[]) : []) : [of];
      const out = items.map((item) => {
        if (item === null || item === undefined) return null;
        const found = cases.find(
          ([discriminator, tag]) =>
            discriminator === null || (isObject(item) && own(item, discriminator) === tag),
        );
        if (found === undefined)
          throw new InvalidArgumentError(
            `${JSON.stringify(item)} has no helper for this expression`,
          );
        return evaluated(item, found[2]);
      });
      return many ? out : out[0];
    }
    case "json":
      return encode(expr[2] as Schema<unknown>, of);
    case "len":
      return Array.isArray(of) ? of.length : isObject(of) ? Object.keys(of).length : 0;
    case "sum":
      return (Array.isArray(of) ? (of as number[]) : []).reduce((a, b) => a + b, 0);
    case "required":
      if (of === null || of === undefined)
        throw new InvalidArgumentError(
          `${JSON.stringify(value)} lacks a value this helper requires`,
        );
      return of;
    case "==":
      return of === (expr[2] as readonly unknown[])[0];
    case "!=":
      return of !== (expr[2] as readonly unknown[])[0];
    default:
      return (expr[2] as readonly unknown[]).includes(of);
  }
}
