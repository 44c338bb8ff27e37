/** The SDK's runtime (copied verbatim by tinkc): what the generated modules build on. */

export * from "./api.js";
export * from "./auth.js";
export * from "./chunks.js";
export * from "./client.js";
export * from "./clock.js";
export * from "./config.js";
export * from "./errors.js";
export * from "./exchange.js";
export * from "./futures.js";
export * from "./http.js";
export * from "./pagination.js";
export * from "./retry.js";
export * from "./session.js";
export * from "./sse.js";
export * from "./telemetry.js";
