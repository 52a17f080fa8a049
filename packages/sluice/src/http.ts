// sluice/http: the HTTP query layer — a query server for each worker (or routes to mount in your own
// server) and a typed client. Kept out of the main entry: only apps that serve or query over HTTP load it.
export { StreamsHttpServer, StreamsHttpHandler, StreamsHttpClient, StreamsHttpError, HttpErrorCodes } from '@sluice/http';
export type {
  StreamsHttpOptions,
  StreamsHttpTlsOptions,
  FastifyLike,
  QueryableApp,
  HttpErrorCode,
  StreamsHttpClientOptions,
  KeyAnswer,
  Entry,
  WindowEntry,
  RangeOptions,
} from '@sluice/http';
