// Owns what start() asks of the cluster before anything else: the first connection (a broker that is
// away is waited for, up to taskTimeoutMs, as a supervisor restarting workers during an outage
// needs; refused credentials, missing rights and bad settings fail at once), and whether exactly-once
// can run at all (the transaction state log must fit the cluster).
import { ConfigError, describeError, ErrorCodes, SluiceError } from '@sluice/common';
import type { ResolvedConfig } from './config.js';
import type { Admin, KafkaClient } from './ports.js';

export async function connectAdmin(client: KafkaClient, config: ResolvedConfig, closing: () => boolean): Promise<Admin> {
  const deadline = config.clock.now() + config.taskTimeoutMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return await client.admin();
    } catch (err) {
      // a listener that closes the connection at once wants SASL/TLS: that is no outage
      const retriable = err instanceof SluiceError && err.code === ErrorCodes.KAFKA_CLIENT && err.retriable && err.context['kafkaErrorType'] !== 'CONNECTION_CLOSED';
      if (!retriable || config.clock.now() > deadline || closing()) throw err;
      config.logger.warn(`cannot reach the brokers at ${config.brokers.join(',')} yet (attempt ${attempt}): ${describeError(err)}; retrying until taskTimeoutMs (${config.taskTimeoutMs} ms) has passed`);
      await new Promise<void>((r) => config.clock.setTimeout(r, Math.min(5_000, 500 * attempt)));
    }
  }
}

/** Exactly-once needs a transaction state log the cluster can keep in sync; say how to fix it if not. */
export async function checkTransactionsPossible(admin: Admin): Promise<void> {
  const info = await admin.clusterInfo();
  const rf = info.transactionStateLogReplicationFactor;
  const minIsr = info.transactionStateLogMinIsr;
  if (rf !== undefined && rf > info.brokers) {
    throw new ConfigError(
      `processingGuarantee 'exactly_once' needs transactions, but this cluster has ${info.brokers} broker(s) and transaction.state.log.replication.factor=${rf}: ` +
        `the transaction log cannot be created. Set transaction.state.log.replication.factor (and transaction.state.log.min.isr) to at most ${info.brokers} on the brokers, or add brokers`,
    );
  }
  if (minIsr !== undefined && minIsr > info.brokers) {
    throw new ConfigError(
      `processingGuarantee 'exactly_once' needs transactions, but transaction.state.log.min.isr=${minIsr} is more than the ${info.brokers} broker(s) of this cluster; lower it on the brokers or add brokers`,
    );
  }
}
