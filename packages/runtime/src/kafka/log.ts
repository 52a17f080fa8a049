// Owns mapping the log lines of Sluice's private kafkajs copy (connections, SASL, metadata) onto the
// Sluice logger. kafkajs logs every retried request error
// at ERROR; the runtime reports the failures that matter itself, so kafkajs goes to debug unless
// kafkaLogLevel raises it.
import { logLevel as KafkaLogLevel, type logCreator } from 'sluice-kafkajs';
import type { Logger, LogLevel } from '@sluice/common';

export function kafkaLogCreator(logger: Logger, level: LogLevel): logCreator {
  const order: LogLevel[] = ['debug', 'info', 'warn', 'error'];
  const min = order.indexOf(level === 'silent' ? 'error' : level);
  return () => ({ namespace, level: l, log }) => {
    const { message: text } = log as { message: string };
    // kafkajs logs every error response at ERROR even when it retries (rebalances, coordinator moves):
    // the runtime reports what fails for good, so these are debug lines
    const retriedResponse = namespace === 'Connection' && text.startsWith('Response ');
    const mapped: LogLevel = retriedResponse ? 'debug' : l === KafkaLogLevel.ERROR ? 'error' : l === KafkaLogLevel.WARN ? 'warn' : l === KafkaLogLevel.INFO ? 'info' : 'debug';
    if (level === 'silent' || order.indexOf(mapped) < min) return;
    const { message, ...rest } = log as { message: string; [k: string]: unknown };
    delete rest['timestamp'];
    delete rest['logger'];
    logger[mapped](`kafkajs ${namespace}: ${message}`, rest);
  };
}

/** kafkajs' numeric level for a Sluice log level (kafkaLogCreator filters again by the mapped level). */
export function kafkaLogLevel(level: LogLevel): number {
  return level === 'silent' ? KafkaLogLevel.NOTHING : level === 'error' ? KafkaLogLevel.ERROR : level === 'warn' ? KafkaLogLevel.WARN : level === 'info' ? KafkaLogLevel.INFO : KafkaLogLevel.DEBUG;
}
