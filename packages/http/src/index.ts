// @sluice/http (imported as `sluice/http`): interactive queries over HTTP. Any worker answers any
// key of any store — forwarding to the worker that holds it — as JSON under /v1, with an OpenAPI
// document, health probes, optional bearer-token auth and TLS, and a typed client.

// ---- serving ----
export { StreamsHttpServer } from './server.js';
export { StreamsHttpHandler } from './handler.js';
export type { FastifyLike } from './handler.js';
export type { StreamsHttpOptions, StreamsHttpTlsOptions } from './options.js';
export type { QueryableApp } from './services.js';

// ---- errors (as answered: { "error": { "code", "message" } }) ----
export { HttpErrorCodes } from './errors.js';
export type { HttpErrorCode } from './errors.js';

// ---- client ----
export { StreamsHttpClient, StreamsHttpError } from './client.js';
export type { StreamsHttpClientOptions, KeyAnswer, Entry, WindowEntry, RangeOptions } from './client.js';
