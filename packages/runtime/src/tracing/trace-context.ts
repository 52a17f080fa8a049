// Owns the W3C Trace Context headers of Kafka records (https://www.w3.org/TR/trace-context/):
// reading `traceparent` / `tracestate` into an OpenTelemetry SpanContext, and writing a span's
// context back as those headers. Kept here rather than taken from a propagator so that records carry
// W3C context whatever propagator the application registered (or none).
import { createTraceState, isSpanContextValid, TraceFlags, type SpanContext } from '@opentelemetry/api';
import { Headers } from '@sluice/core';

export const TRACEPARENT = 'traceparent';
export const TRACESTATE = 'tracestate';

const TRACEPARENT_PATTERN = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;

/** The remote span context in a record's headers, or undefined when there is none (or it is invalid). */
export function extractSpanContext(headers: Headers): SpanContext | undefined {
  const parent = headers.lastHeader(TRACEPARENT)?.value;
  if (parent === null || parent === undefined) return undefined;
  const m = TRACEPARENT_PATTERN.exec(parent.toString('latin1').trim());
  if (!m) return undefined;
  const [, version, traceId, spanId, flags, rest] = m;
  // version ff is invalid; version 00 has nothing after the flags
  if (version === 'ff' || (version === '00' && rest !== undefined)) return undefined;
  const state = headers.lastHeader(TRACESTATE)?.value;
  const ctx: SpanContext = {
    traceId: traceId!,
    spanId: spanId!,
    traceFlags: parseInt(flags!, 16) & TraceFlags.SAMPLED,
    isRemote: true,
    ...(state !== null && state !== undefined && state.length > 0 ? { traceState: createTraceState(state.toString('latin1')) } : {}),
  };
  return isSpanContextValid(ctx) ? ctx : undefined;
}

/** `headers` with `traceparent` (and `tracestate`) replaced by those of `ctx`. */
export function injectSpanContext(headers: Headers, ctx: SpanContext): Headers {
  const out = new Headers(headers);
  out.remove(TRACEPARENT).remove(TRACESTATE);
  out.add(TRACEPARENT, `00-${ctx.traceId}-${ctx.spanId}-0${(ctx.traceFlags & TraceFlags.SAMPLED).toString(16)}`);
  const state = ctx.traceState?.serialize();
  if (state) out.add(TRACESTATE, state);
  return out;
}
