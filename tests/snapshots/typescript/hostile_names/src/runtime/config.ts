/**
 * Client configuration (copied verbatim by tinkc): explicit option > environment variable named in
 * the manifest > manifest default. The API key is never shown: not by `console.log`, not by
 * `JSON.stringify`, not in errors.
 */

import { execSync } from "node:child_process";

import { ConfigurationError } from "./errors.js";

/** What the manifest says about configuration (generated per SDK). */
export interface ServiceSettings {
  readonly apiKeyEnv: string | null;
  readonly baseUrlEnv: string | null;
  readonly defaultBaseUrl: string | null;
  readonly defaultTimeoutMs: number;
  /** Names a variable holding a shell command that prints the key. */
  readonly credentialCommandEnv?: string | null | undefined;
  /** Named base URLs, and the variable choosing one. */
  readonly environments?: readonly (readonly [string, string])[] | undefined;
  readonly environmentEnv?: string | null | undefined;
  /** The configuration options the manifest declares (`service.config`). */
  readonly configOptions?: readonly ConfigOptionSpec[];
  /** A config option's `profiles:`: the option naming one, and the profiles of defaults. */
  readonly profiles?: ProfilesSpec | undefined;
}

/** A named profile of defaults (Tinkex's parity modes): the timeout and the retry count of the
 * profiled retry policy; null: the manifest's own. */
export interface Profile {
  readonly name: string;
  readonly timeoutMs: number | null;
  readonly maxRetries: number | null;
}

export interface ProfilesSpec {
  readonly option: string;
  readonly profiles: readonly Profile[];
  /** The profiled retry policy's own count (null: no policy is profiled). */
  readonly defaultMaxRetries: number | null;
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
  /** The profile of defaults the option with `profiles:` chose (null: none). */
  readonly profile: string | null;
  /** Its retry count for the profiled retry policy (null: the policy's own). */
  readonly maxRetries: number | null;
  // a private field: util.inspect, JSON.stringify and Object.keys never see it
  readonly #apiKey: string;

  constructor(
    apiKey: string,
    baseUrl: string,
    timeoutMs: number,
    headers: { readonly [name: string]: string } = {},
    options: { readonly [name: string]: unknown } = {},
    profile: string | null = null,
    maxRetries: number | null = null,
  ) {
    this.#apiKey = apiKey;
    this.baseUrl = baseUrl;
    this.timeoutMs = timeoutMs;
    this.headers = headers;
    this.options = options;
    this.profile = profile;
    this.maxRetries = maxRetries;
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
  /** A named environment of the API (its base URL), when no `baseUrl` is given. */
  readonly environment?: string | null | undefined;
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
  // argument > environment > credential command
  const commandEnv = settings.credentialCommandEnv ?? null;
  const key =
    options.apiKey || fromEnv(settings.apiKeyEnv) || credentialFromCommand(commandEnv, env);
  if (!key) {
    let where =
      settings.apiKeyEnv === null ? "" : ` or set the ${settings.apiKeyEnv} environment variable`;
    if (commandEnv !== null) where += ` (or ${commandEnv} to a command printing it)`;
    throw new ConfigurationError(`no API key: pass the apiKey option${where}`);
  }
  // baseUrl option > environment option > base URL variable > environment variable > default
  const environmentEnv = settings.environmentEnv ?? null;
  const url =
    options.baseUrl ||
    environmentUrl(settings, options.environment, "the environment option") ||
    fromEnv(settings.baseUrlEnv) ||
    environmentUrl(settings, fromEnv(environmentEnv), environmentEnv) ||
    settings.defaultBaseUrl ||
    settings.environments?.[0]?.[1];
  if (!url) {
    const where =
      settings.baseUrlEnv === null ? "" : ` or set the ${settings.baseUrlEnv} environment variable`;
    throw new ConfigurationError(`no base URL: pass the baseUrl option${where}`);
  }
  const declared = declaredOptions(settings, options.options ?? {}, env);
  const profile = profileOf(settings, declared);
  // the timeout given > the profile's > the manifest's
  return new Config(
    key,
    url.replace(/\/+$/, ""),
    options.timeoutMs ?? profile?.timeoutMs ?? settings.defaultTimeoutMs,
    { ...options.headers },
    declared,
    profile?.name ?? null,
    profile?.maxRetries ?? null,
  );
}

/** The profile the option names (undefined: no option has profiles, or it is absent); a name that
 * is no profile is a configuration error, naming the known ones. */
export function profileOf(
  settings: ServiceSettings,
  declared: { readonly [name: string]: unknown },
): Profile | undefined {
  const spec = settings.profiles;
  if (spec === undefined) return undefined;
  const value = declared[spec.option];
  if (value === undefined || value === null) return undefined;
  const found = spec.profiles.find((p) => p.name === value);
  if (found === undefined) {
    const known = spec.profiles.map((p) => p.name).join(", ");
    throw new ConfigurationError(
      `unknown ${spec.option} ${JSON.stringify(value)} (known: ${known})`,
    );
  }
  return found;
}

/**
 * The credential the command in `envName` prints (trimmed), or undefined when the variable is
 * unset. Its output is never shown: a failing command names only its exit status.
 */
export function credentialFromCommand(
  envName: string | null,
  env: Environment,
): string | undefined {
  const command = envName === null ? undefined : env[envName];
  if (!command) return undefined;
  let output: string;
  try {
    output = execSync(command, {
      encoding: "utf-8",
      stdio: ["ignore", "pipe", "pipe"],
      timeout: 30_000,
    });
  } catch (error) {
    const status =
      error !== null && typeof error === "object" && "status" in error ? error.status : null;
    throw new ConfigurationError(
      typeof status === "number"
        ? `the credential command in ${envName} failed with exit status ${status}`
        : `the credential command in ${envName} could not run`,
    );
  }
  const value = output.trim();
  if (!value) throw new ConfigurationError(`the credential command in ${envName} printed nothing`);
  return value;
}

/** The base URL of the environment `name` (undefined: none chosen); an unknown name is an error. */
export function environmentUrl(
  settings: ServiceSettings,
  name: string | null | undefined,
  source: string | null,
): string | undefined {
  if (!name) return undefined;
  const found = (settings.environments ?? []).find(([known]) => known === name);
  if (found === undefined) {
    const known = (settings.environments ?? []).map(([known]) => known).join(", ") || "none";
    throw new ConfigurationError(
      `unknown environment ${JSON.stringify(name)} (from ${source}); known: ${known}`,
    );
  }
  return found[1];
}
