// Owns the connection to a Kafka cluster for Sluice's own client: bootstrap, metadata, brokers and
// coordinators come from a kafkajs Cluster (Sluice's private copy, with its TLS and SASL), and every
// request Sluice sends is its own (wire/requests/*), written and read by wire/codec.ts. `send` puts
// one request on a broker's connection with its own timeout; nothing here retries — callers decide
// by the Kafka error code what to do (wire/errors.ts).
import Cluster, { type KafkajsBroker, type KafkajsPartitionMetadata } from 'sluice-kafkajs/src/cluster/index.js';
import socketFactory from 'sluice-kafkajs/src/network/socketFactory.js';
import { createLogger } from 'sluice-kafkajs/src/loggers/index.js';
import type { ConnectionOptions } from 'node:tls';
import type { Mechanism, SASLOptions } from 'sluice-kafkajs';
import { KafkaClientError, describeError } from '@sluice/common';
import { Reader, Writer } from './codec.js';
import { KafkaProtocolError } from './errors.js';
import { findCoordinator } from './requests/group.js';

/** One request of the Kafka protocol at one version, with its response. */
export interface WireRequest<T> {
  readonly apiKey: number;
  readonly apiVersion: number;
  readonly name: string;
  /** A flexible version (KIP-482): request header v2, response header v1 (tagged fields). */
  readonly flexible: boolean;
  encode(w: Writer): void;
  decode(r: Reader): T;
  /** Produce with acks=0 expects no response. */
  readonly noResponse?: boolean;
}

export interface WireOptions {
  readonly clientId: string;
  readonly brokers: readonly string[];
  /** kafkajs' `ssl` and `sasl` options, built by kafka/security.ts (kafkajsSecurity). */
  readonly ssl?: boolean | ConnectionOptions;
  readonly sasl?: SASLOptions | Mechanism;
  readonly connectionTimeoutMs: number;
  readonly requestTimeoutMs: number;
  /** kafkajs' own log lines, mapped onto the Sluice logger (kafka/log.ts). */
  readonly logCreator: unknown;
  readonly logLevel: number;
}

export const COORDINATOR_GROUP = 0;
export const COORDINATOR_TRANSACTION = 1;

/** Connection-level failures (refused, closed, timed out) are worth retrying; kafkajs marks them so. */
export function isConnectionError(err: unknown): boolean {
  const e = err as { name?: string; retriable?: boolean } | undefined;
  return (
    e?.name === 'KafkaJSConnectionError' ||
    e?.name === 'KafkaJSConnectionClosedError' ||
    e?.name === 'KafkaJSRequestTimeoutError' ||
    e?.name === 'KafkaJSNumberOfRetriesExceeded' ||
    e?.name === 'KafkaJSBrokerNotFound' ||
    e?.name === 'KafkaJSLockTimeout' ||
    e?.name === 'KafkaJSMetadataNotLoaded' ||
    e?.name === 'KafkaJSTopicMetadataNotLoaded' ||
    e?.name === 'KafkaJSGroupCoordinatorNotFound'
  );
}

/** Any failure of `send` or a lookup that a client may retry (connection trouble or a retriable code). */
export function isRetriable(err: unknown): boolean {
  if (err instanceof KafkaProtocolError) return err.retriable;
  return isConnectionError(err);
}

export class KafkaWire {
  private readonly cluster: Cluster;
  private readonly coordinators = new Map<string, KafkajsBroker>();

  constructor(private readonly o: WireOptions) {
    this.cluster = new Cluster({
      logger: createLogger({ level: o.logLevel, logCreator: o.logCreator }),
      socketFactory: socketFactory(),
      brokers: [...o.brokers],
      ...(o.ssl !== undefined ? { ssl: o.ssl } : {}),
      ...(o.sasl !== undefined ? { sasl: o.sasl } : {}),
      clientId: o.clientId,
      connectionTimeout: o.connectionTimeoutMs,
      requestTimeout: o.requestTimeoutMs,
      enforceRequestTimeout: true,
      // one attempt per call: Sluice's callers own retries and their deadlines
      retry: { retries: 0, initialRetryTime: 100, maxRetryTime: 1_000 },
      allowAutoTopicCreation: false,
    });
  }

  async connect(): Promise<void> {
    await this.cluster.connect();
    await this.cluster.refreshMetadata();
  }

  async close(): Promise<void> {
    this.coordinators.clear();
    await this.cluster.disconnect().catch(() => undefined);
  }

  /** Partitions of a topic with their leaders (metadata fetched when the topic is new). */
  async partitions(topic: string): Promise<KafkajsPartitionMetadata[]> {
    await this.cluster.addMultipleTargetTopics([topic]);
    return this.cluster.findTopicPartitionMetadata(topic);
  }

  /** Make sure metadata covers these topics (one metadata request for all new ones). */
  async addTopics(topics: readonly string[]): Promise<void> {
    if (topics.length > 0) await this.cluster.addMultipleTargetTopics([...topics]);
  }

  async refreshMetadata(): Promise<void> {
    await this.cluster.refreshMetadata();
  }

  /** The leader's node id from the metadata at hand (no request); undefined when unknown. */
  leaderIdOf(topic: string, partition: number): number | undefined {
    try {
      const p = this.cluster.findTopicPartitionMetadata(topic).find((x) => x.partitionId === partition);
      return p && p.leader !== undefined && p.leader !== null && p.leader >= 0 ? p.leader : undefined;
    } catch {
      return undefined; // no metadata loaded yet
    }
  }

  /** The broker leading a partition, from the current metadata. */
  async leader(topic: string, partition: number): Promise<KafkajsBroker> {
    const p = (await this.partitions(topic)).find((x) => x.partitionId === partition);
    if (!p) throw new KafkaProtocolError(3, `finding the leader of ${topic}-${partition}`, 'the topic or partition is not in the metadata');
    if (p.leader === undefined || p.leader === null || p.leader < 0) throw new KafkaProtocolError(5, `finding the leader of ${topic}-${partition}`);
    return this.cluster.findBroker({ nodeId: p.leader });
  }

  /** Some broker of the cluster (for requests any broker answers). */
  async anyBroker(): Promise<KafkajsBroker> {
    try {
      return await this.cluster.findControllerBroker();
    } catch (err) {
      if (!isConnectionError(err)) throw err;
      // no metadata yet (or the broker we knew is gone): bootstrap again
      await this.cluster.connect();
      await this.cluster.refreshMetadata();
      return this.cluster.findControllerBroker();
    }
  }

  async broker(nodeId: number): Promise<KafkajsBroker> {
    return this.cluster.findBroker({ nodeId });
  }

  /** The group or transaction coordinator for `key`, cached until forgetCoordinator. */
  async coordinator(key: string, type: number): Promise<KafkajsBroker> {
    const cacheKey = `${type}:${key}`;
    const known = this.coordinators.get(cacheKey);
    if (known) return known;
    // our own FindCoordinator: the broker's error code (an authorization failure above all) is kept
    const res = await this.send(await this.anyBroker(), findCoordinator({ key, keyType: type }));
    if (res.errorCode !== 0) {
      throw new KafkaProtocolError(res.errorCode, `finding the ${type === COORDINATOR_TRANSACTION ? 'transaction' : 'group'} coordinator of '${key}'`, res.errorMessage ?? undefined);
    }
    let b: KafkajsBroker;
    try {
      b = await this.cluster.findBroker({ nodeId: res.nodeId });
    } catch {
      await this.cluster.refreshMetadata();
      b = await this.cluster.findBroker({ nodeId: res.nodeId });
    }
    this.coordinators.set(cacheKey, b);
    return b;
  }

  forgetCoordinator(key: string, type: number): void {
    this.coordinators.delete(`${type}:${key}`);
  }

  /** Highest version of `apiKey` both the broker and `ours` support. */
  version(broker: KafkajsBroker, apiKey: number, ours: readonly number[]): number {
    const range = broker.versions?.[apiKey];
    const fits = ours.filter((v) => !range || (v >= range.minVersion && v <= range.maxVersion));
    if (fits.length === 0) {
      throw new KafkaClientError(
        `broker ${broker.brokerAddress} supports API ${apiKey} only at versions ${range?.minVersion}..${range?.maxVersion}, Sluice speaks ${ours.join(', ')}: use Kafka 2.5 or newer`,
      );
    }
    return Math.max(...fits);
  }

  /** Send one request to a broker and read its response. Throws connection errors as they come. */
  async send<T>(broker: KafkajsBroker, req: WireRequest<T>, timeoutMs?: number): Promise<T> {
    await broker.connect();
    const w = new Writer(128);
    if (req.flexible) w.tags(); // request header v2: the tagged fields after the client id
    req.encode(w);
    const body = w.finish();
    let out: unknown;
    try {
      out = await broker.connectionPool.send({
      request: {
        apiKey: req.apiKey,
        apiVersion: req.apiVersion,
        apiName: req.name,
        encode: async () => ({ buf: body, buffer: body }),
        ...(req.noResponse ? { expectResponse: () => false } : {}),
      },
      response: {
        decode: async (payload: Buffer) => payload,
        parse: async (payload: unknown) => {
          const r = new Reader(payload as Buffer);
          if (req.flexible) r.tags(); // response header v1
          try {
            return req.decode(r);
          } catch (err) {
            throw new KafkaClientError(`could not read the ${req.name} v${req.apiVersion} response of ${broker.brokerAddress}: ${describeError(err)}`, { cause: err });
          }
        },
      },
      requestTimeout: timeoutMs ?? null,
      logResponseError: false,
    });
    } catch (err) {
      // a closed or timed-out connection is reopened on the next request
      if (isConnectionError(err)) await broker.disconnect().catch(() => undefined);
      throw err;
    }
    return out as T;
  }
}
