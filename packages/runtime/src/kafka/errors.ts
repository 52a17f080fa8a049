// Owns turning what the Kafka client throws into Sluice errors at the adapter boundary. Decisions are
// made by Kafka's error code (wire/errors.ts) or by the connection error's type, never by message text.
import { ErrorCodes, KafkaClientError, SluiceError, describeError } from '@sluice/common';
import { isConnectionError } from './wire/wire.js';

export class ProducerFencedError extends SluiceError {
  constructor(message: string, cause: unknown) {
    super(ErrorCodes.PRODUCER_FENCED, message, { cause, retriable: true });
  }
}

/** Any client error as a SluiceError saying what was being done (Sluice errors pass through). */
export function translate(action: string, err: unknown): SluiceError {
  if (err instanceof SluiceError) return err;
  const e = err as { type?: string; name?: string } | undefined;
  return new KafkaClientError(`${action}: ${describeError(err)}`, { cause: err, retriable: isConnectionError(err), context: { kafkaErrorType: e?.type ?? e?.name } });
}
