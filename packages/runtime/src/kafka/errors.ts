// Owns translating kafkajs errors into Sluice errors at the adapter boundary.
import { ErrorCodes, KafkaClientError, SluiceError, describeError } from '@sluice/common';

export class ProducerFencedError extends SluiceError {
  constructor(message: string, cause: unknown) {
    super(ErrorCodes.PRODUCER_FENCED, message, { cause, retriable: true });
  }
}

const FENCED = new Set(['INVALID_PRODUCER_EPOCH', 'PRODUCER_FENCED', 'TRANSACTIONAL_ID_AUTHORIZATION_FAILED', 'INVALID_TXN_STATE', 'INVALID_PRODUCER_ID_MAPPING']);

function typeOf(err: unknown): string | undefined {
  const e = err as { type?: string; originalError?: { type?: string }; errors?: unknown[] } | undefined;
  if (e?.type) return e.type;
  if (e?.originalError?.type) return e.originalError.type;
  if (Array.isArray(e?.errors)) for (const inner of e.errors) if (typeOf(inner)) return typeOf(inner);
  return undefined;
}

export function isFenced(err: unknown): boolean {
  const t = typeOf(err);
  if (t && FENCED.has(t)) return true;
  return /fenced|epoch/i.test((err as Error)?.message ?? '');
}

/** A kafkajs error as a KafkaClientError saying what was being done. */
export function translate(action: string, err: unknown): SluiceError {
  if (err instanceof SluiceError) return err;
  if (isFenced(err)) {
    return new ProducerFencedError(`${action}: the producer was fenced by a newer instance with the same transactional id (${describeError(err)})`, err);
  }
  const retriable = (err as { retriable?: boolean })?.retriable === true;
  return new KafkaClientError(`${action}: ${describeError(err)}`, { cause: err, retriable, context: { kafkaErrorType: typeOf(err) } });
}
