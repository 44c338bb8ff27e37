/**
 * Authentication (copied verbatim by tinkc): how the credential becomes the auth header, and the
 * token exchange (DESIGN: auth). Every decision is in the SDK plan; `TokenState` holds the one
 * piece of state, the current token and when to renew it. The token is never shown: it lives in a
 * private field, out of `util.inspect`, `JSON.stringify` and `Object.keys`.
 */

import type { Environment } from "./config.js";
import { ResponseValidationError } from "./errors.js";
import type { Endpoint } from "./http.js";

/** The manifest's `auth.exchange` (generated per SDK). */
export interface Exchange {
  readonly endpoint: Endpoint;
  readonly body: unknown;
  readonly tokenField: string;
  readonly lifetimeClaim: string | null;
  readonly lifetimeField: string | null;
  readonly refreshWindow: readonly [number, number];
  readonly refreshBeforeSec: number;
  readonly enabled: boolean;
  readonly enableEnv: string | null;
}

/** The manifest's `service.auth` (generated per SDK). */
export interface AuthScheme {
  readonly header: string;
  readonly credentialPrefix: string;
  readonly credentialBase64: boolean;
  readonly tokenPrefix: string;
  readonly exchange: Exchange | null;
}

/** On by the client option, else the environment variable, else the manifest's default. */
export function exchangeActive(
  exchange: Exchange,
  option: boolean | undefined,
  env: Environment,
): boolean {
  if (option !== undefined) return option;
  const value = exchange.enableEnv === null ? undefined : env[exchange.enableEnv];
  if (value) return ["1", "true", "yes", "on"].includes(value.trim().toLowerCase());
  return exchange.enabled;
}

/** The header's value for the credential itself (basic: `user:password`, base64). */
export function credentialValue(scheme: AuthScheme, credential: string): string {
  const text = scheme.credentialBase64
    ? Buffer.from(credential, "utf-8").toString("base64")
    : credential;
  return scheme.credentialPrefix + text;
}

/** A 401 that says the token (not the credential) is no good: `WWW-Authenticate: ... invalid_token`. */
export function invalidToken(headers: Headers): boolean {
  return (headers.get("www-authenticate") ?? "").includes("invalid_token");
}

/** The JWT's payload, decoded without verifying it (the server verifies; the SDK only reads when
 * the token expires). */
export function jwtClaims(token: string): Record<string, unknown> | null {
  const parts = token.split(".");
  if (parts.length !== 3) return null;
  try {
    const payload: unknown = JSON.parse(Buffer.from(parts[1] ?? "", "base64url").toString("utf-8"));
    return payload !== null && typeof payload === "object" && !Array.isArray(payload)
      ? (payload as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

function seconds(value: unknown): number | null {
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

const INSPECT = Symbol.for("nodejs.util.inspect.custom");

/**
 * The exchanged token and when to renew it: once a fraction of its lifetime drawn in the refresh
 * window has passed (drawn once per token), or when at most `refreshBeforeSec` remain. `wall` is
 * the time since the epoch in seconds (a JWT's `exp` is one), injected by tests.
 */
export class TokenState {
  readonly exchange: Exchange;
  private readonly scheme: AuthScheme;
  private readonly wall: () => number;
  private readonly random: () => number;
  #value: string | null = null;
  private renewAt = 0;
  private expiresAt = 0;

  constructor(exchange: Exchange, scheme: AuthScheme, wall: () => number, random: () => number) {
    this.exchange = exchange;
    this.scheme = scheme;
    this.wall = wall;
    this.random = random;
  }

  /** The header value to send, or null when a new token must be fetched first. */
  current(): string | null {
    if (this.#value === null) return null;
    const now = this.wall();
    if (now >= this.renewAt || this.expiresAt - now <= this.exchange.refreshBeforeSec) return null;
    return this.#value;
  }

  /** The server rejected `value`; a request that still holds an older one changes nothing. */
  invalidate(value: string): void {
    if (this.#value === value) this.#value = null;
  }

  /** Keeps the token the exchange answered; returns the header value. */
  store(body: unknown): string {
    const x = this.exchange;
    const fields =
      body !== null && typeof body === "object" ? (body as Record<string, unknown>) : {};
    const token = fields[x.tokenField];
    if (typeof token !== "string" || token === "") {
      throw new ResponseValidationError(`the token exchange answered no \`${x.tokenField}\``, null);
    }
    const now = this.wall();
    let issued = now;
    let expires: number;
    if (x.lifetimeField !== null) {
      const lifetime = seconds(fields[x.lifetimeField]);
      if (lifetime === null) {
        throw new ResponseValidationError(
          `the token exchange answered no \`${x.lifetimeField}\``,
          null,
        );
      }
      expires = now + lifetime;
    } else {
      const claims = jwtClaims(token) ?? {};
      const expiry = seconds(claims[x.lifetimeClaim ?? "exp"]);
      if (expiry === null) {
        throw new ResponseValidationError(
          `the exchanged token has no \`${x.lifetimeClaim ?? "exp"}\` claim`,
          null,
        );
      }
      expires = expiry;
      const iat = seconds(claims["iat"]);
      if (iat !== null && iat <= now) issued = iat;
    }
    const [low, high] = x.refreshWindow;
    this.expiresAt = expires;
    this.renewAt = issued + (expires - issued) * (low + (high - low) * this.random());
    this.#value = this.scheme.tokenPrefix + token;
    return this.#value;
  }

  toString(): string {
    return `TokenState(token=${this.#value === null ? "null" : "<redacted>"})`;
  }

  toJSON(): object {
    return { token: this.#value === null ? null : "<redacted>" };
  }

  [INSPECT](): string {
    return this.toString();
  }
}
