/**
 * The error taxonomy every tinkc SDK shares (copied verbatim by tinkc).
 *
 *     SDKError
 *     ├── ConfigurationError            bad or missing configuration (e.g. no API key), before any request
 *     ├── InvalidArgumentError          an argument the SDK checks itself is wrong, before any request
 *     └── APIError
 *         ├── APIStatusError            the server answered an error status
 *         │   ├── BadRequestError (400), AuthenticationError (401), PermissionDeniedError (403),
 *         │   ├── NotFoundError (404), ConflictError (409), UnprocessableEntityError (422),
 *         │   └── RateLimitError (429), InternalServerError (5xx)
 *         ├── APIConnectionError        no answer: connection failed or dropped
 *         │   └── APITimeoutError       no answer in time
 *         ├── RequestFailedError        a server-side future failed (with its category)
 *         └── ResponseValidationError   the answer does not have the declared shape
 *
 * No error message ever contains the API key.
 */

/** Base of every error this SDK throws. */
export class SDKError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    // the subclass's own name, so that logs and stack traces say which error it is
    this.name = new.target.name;
  }
}

/** The client cannot be configured (thrown before any request is sent). */
export class ConfigurationError extends SDKError {}

/**
 * An argument is not what the API declares (e.g. text that does not match a type's parse
 * template); thrown before any request is sent.
 */
export class InvalidArgumentError extends SDKError {}

/** Base of the errors of a request. */
export class APIError extends SDKError {}

/**
 * The server answered with an error status: its status, body, headers and request id
 * (`x-request-id`), as a raw response carries them on success.
 */
export class APIStatusError extends APIError {
  readonly status: number;
  /** The parsed JSON body, or the text when it is not JSON, or `null` when empty. */
  readonly body: unknown;
  readonly requestId: string | null;
  readonly headers: Headers;

  constructor(
    message: string,
    status: number,
    body: unknown,
    requestId: string | null = null,
    headers: Headers = new Headers(),
  ) {
    super(message);
    this.status = status;
    this.body = body;
    this.requestId = requestId;
    this.headers = headers;
  }
}

export class BadRequestError extends APIStatusError {}
export class AuthenticationError extends APIStatusError {}
export class PermissionDeniedError extends APIStatusError {}
export class NotFoundError extends APIStatusError {}
export class ConflictError extends APIStatusError {}
export class UnprocessableEntityError extends APIStatusError {}
export class RateLimitError extends APIStatusError {}
export class InternalServerError extends APIStatusError {}

/** No answer: the connection failed or was dropped. */
export class APIConnectionError extends APIError {}

/** No answer in time (a request, a future, or a retry handler without progress). */
export class APITimeoutError extends APIConnectionError {}

/**
 * A server-side future finished with an error. `category` is one the manifest lists, or
 * `"unknown"` for anything else.
 */
export class RequestFailedError extends APIError {
  readonly category: string;
  readonly body: unknown;

  constructor(message: string, category: string, body: unknown) {
    super(message);
    this.category = category;
    this.body = body;
  }
}

/** The server's answer does not have the shape the API declares (or is not JSON). */
export class ResponseValidationError extends APIError {
  readonly body: unknown;

  constructor(message: string, body: unknown) {
    super(message);
    this.body = body;
  }
}

/**
 * Pages that do not follow each other: a cursor or next URL that repeats (the pages would never
 * end), or a next URL off the base URL.
 */
export class PaginationError extends ResponseValidationError {}

type StatusErrorClass = new (
  message: string,
  status: number,
  body: unknown,
  requestId: string | null,
  headers: Headers,
) => APIStatusError;

const BY_STATUS: ReadonlyMap<number, StatusErrorClass> = new Map<number, StatusErrorClass>([
  [400, BadRequestError],
  [401, AuthenticationError],
  [403, PermissionDeniedError],
  [404, NotFoundError],
  [409, ConflictError],
  [422, UnprocessableEntityError],
  [429, RateLimitError],
]);

/** The specific error of an error status. */
export function statusError(
  status: number,
  body: unknown,
  requestId: string | null = null,
  headers: Headers = new Headers(),
): APIStatusError {
  const cls = BY_STATUS.get(status) ?? (status >= 500 ? InternalServerError : APIStatusError);
  let detail = "";
  if (body !== null && typeof body === "object" && !Array.isArray(body)) {
    for (const key of ["detail", "message", "error"]) {
      const value = (body as Record<string, unknown>)[key];
      if (typeof value === "string") {
        detail = `: ${value}`;
        break;
      }
    }
  }
  return new cls(`HTTP ${status}${detail}`, status, body, requestId, headers);
}
