/**
 * Client configuration (copied verbatim by tinkc): explicit option > environment variable named in
 * the manifest > manifest default. The API key is never shown: not by `console.log`, not by
 * `JSON.stringify`, not in errors.
 */

import { ConfigurationError } from "./errors.js";

/** What the manifest says about configuration (generated per SDK). */
export interface ServiceSettings {
  readonly apiKeyEnv: string | null;
  readonly baseUrlEnv: string | null;
  readonly defaultBaseUrl: string | null;
  readonly defaultTimeoutMs: number;
  /** The configuration options the manifest declares (`service.config`). */
  readonly configOptions?: readonly ConfigOptionSpec[];
}

/** A declared option: given, else its environment variable read as `kind` says, else its
 * default (when it has one, `default` is present), else absent (`undefined`). */
export interface ConfigOptionSpec {
  readonly name: string;
  readonly env: string | null;
  readonly kind: "string" | "int" | "float" | "bool" | "list" | "json" | null;
  readonly default?: unknown;
}

export type Environment = { readonly [name: string]: string | undefined };

const INSPECT = Symbol.for("nodejs.util.inspect.custom");

export class Config {
  readonly baseUrl: string;
  readonly timeoutMs: number;
  readonly headers: { readonly [name: string]: string };
  /** The declared options' values (`service.config`), by name. */
  readonly options: { readonly [name: string]: unknown };
  // a private field: util.inspect, JSON.stringify and Object.keys never see it
  readonly #apiKey: string;

  constructor(
    apiKey: string,
    baseUrl: string,
    timeoutMs: number,
    headers: { readonly [name: string]: string } = {},
    options: { readonly [name: string]: unknown } = {},
  ) {
    this.#apiKey = apiKey;
    this.baseUrl = baseUrl;
    this.timeoutMs = timeoutMs;
    this.headers = headers;
    this.options = options;
  }

  get apiKey(): string {
    return this.#apiKey;
  }

  toString(): string {
    return `Config(apiKey=<redacted>, baseUrl=${JSON.stringify(this.baseUrl)}, timeoutMs=${this.timeoutMs})`;
  }

  toJSON(): object {
    return { apiKey: "<redacted>", baseUrl: this.baseUrl, timeoutMs: this.timeoutMs };
  }

  [INSPECT](): string {
    return this.toString();
  }
}

export interface ConfigOptions {
  readonly apiKey?: string | null | undefined;
  readonly baseUrl?: string | null | undefined;
  readonly timeoutMs?: number | null | undefined;
  readonly headers?: { readonly [name: string]: string } | undefined;
  /** The environment to read; `process.env` when not given. */
  readonly env?: Environment | undefined;
  /** Values of the options the manifest declares (`service.config`); any other is an error. */
  readonly options?: { readonly [name: string]: unknown } | undefined;
}

const TRUE = ["1", "true", "yes", "on"];
const FALSE = ["0", "false", "no", "off"];

/** A declared option's environment variable, read as the other SDKs read it. */
function fromEnv(option: ConfigOptionSpec, text: string): unknown {
  const trimmed = text.trim();
  const bad = (): never => {
    throw new ConfigurationError(`${option.env} is not a valid ${option.kind} for ${option.name}`);
  };
  switch (option.kind) {
    case "string":
      return text;
    case "int":
      return /^[-+]?\d+$/.test(trimmed) ? Number.parseInt(trimmed, 10) : bad();
    case "float": {
      const value = Number(trimmed);
      return trimmed !== "" && Number.isFinite(value) ? value : bad();
    }
    case "bool":
      if (TRUE.includes(trimmed.toLowerCase())) return true;
      return FALSE.includes(trimmed.toLowerCase()) ? false : bad();
    case "list":
      return text
        .split(",")
        .map((part) => part.trim())
        .filter((part) => part !== "");
    case "json":
      try {
        return JSON.parse(text) as unknown;
      } catch {
        return bad();
      }
    default:
      return bad();
  }
}

/** Each declared option's value; an option the manifest does not declare is an error. */
export function declaredOptions(
  settings: ServiceSettings,
  given: { readonly [name: string]: unknown },
  env: Environment,
): { [name: string]: unknown } {
  const declared = settings.configOptions ?? [];
  const known = declared.map((o) => o.name);
  const unknown = Object.keys(given).filter((name) => !known.includes(name));
  if (unknown.length > 0) {
    throw new ConfigurationError(
      `unknown option ${unknown.join(", ")} (known: ${known.join(", ") || "none"})`,
    );
  }
  const out: { [name: string]: unknown } = {};
  for (const option of declared) {
    const text = option.env === null ? undefined : env[option.env];
    if (Object.prototype.hasOwnProperty.call(given, option.name))
      out[option.name] = given[option.name];
    else if (text) out[option.name] = fromEnv(option, text);
    else out[option.name] = option.default;
  }
  return out;
}

export function resolveConfig(settings: ServiceSettings, options: ConfigOptions = {}): Config {
  const env = options.env ?? process.env;
  const fromEnv = (name: string | null): string | undefined =>
    name === null ? undefined : env[name] || undefined;
  const key = options.apiKey || fromEnv(settings.apiKeyEnv);
  if (!key) {
    const where =
      settings.apiKeyEnv === null ? "" : ` or set the ${settings.apiKeyEnv} environment variable`;
    throw new ConfigurationError(`no API key: pass the apiKey option${where}`);
  }
  const url = options.baseUrl || fromEnv(settings.baseUrlEnv) || settings.defaultBaseUrl;
  if (!url) {
    const where =
      settings.baseUrlEnv === null ? "" : ` or set the ${settings.baseUrlEnv} environment variable`;
    throw new ConfigurationError(`no base URL: pass the baseUrl option${where}`);
  }
  return new Config(
    key,
    url.replace(/\/+$/, ""),
    options.timeoutMs ?? settings.defaultTimeoutMs,
    { ...options.headers },
    declaredOptions(settings, options.options ?? {}, env),
  );
}
