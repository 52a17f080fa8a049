// Owns the answer to "a stream thread died of this exception: what now?" (Kafka's
// StreamsUncaughtExceptionHandler and its StreamThreadExceptionResponse).
import { describeError, type Logger } from '@sluice/common';

export type StreamThreadExceptionResponse = 'REPLACE_THREAD' | 'SHUTDOWN_CLIENT' | 'SHUTDOWN_APPLICATION';

/** Decides what happens after a stream thread's fatal exception; default: shut this worker down. */
export type StreamsUncaughtExceptionHandler = (error: unknown) => StreamThreadExceptionResponse;

const RESPONSES: readonly StreamThreadExceptionResponse[] = ['REPLACE_THREAD', 'SHUTDOWN_CLIENT', 'SHUTDOWN_APPLICATION'];

/** The handler's response; a handler that throws or answers something else shuts the worker down (and says why). */
export function decideUncaught(handler: StreamsUncaughtExceptionHandler, error: unknown, logger: Logger): StreamThreadExceptionResponse {
  let r: unknown;
  try {
    r = handler(error);
  } catch (err) {
    logger.error(`the uncaught exception handler threw (${describeError(err)}); shutting this worker down`);
    return 'SHUTDOWN_CLIENT';
  }
  if (RESPONSES.includes(r as StreamThreadExceptionResponse)) return r as StreamThreadExceptionResponse;
  logger.error(`the uncaught exception handler answered ${JSON.stringify(r)}; it must answer ${RESPONSES.map((x) => `'${x}'`).join(', ')}: shutting this worker down`);
  return 'SHUTDOWN_CLIENT';
}
