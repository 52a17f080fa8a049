// The parts of Sluice's private copy of kafkajs 2.2.4 (the npm alias `sluice-kafkajs`, never the
// user's `kafkajs`) that the wire layer uses: connections, SASL/TLS, bootstrap and metadata.
// Everything above connections — requests, groups, fetching, producing — is Sluice's own code.

declare module 'sluice-kafkajs/src/cluster/index.js' {
  export interface KafkajsConnectionPool {
    send(protocolRequest: {
      request: { apiKey: number; apiVersion: number; apiName: string; encode(): Promise<{ buf: Buffer; buffer: Buffer }>; expectResponse?: () => boolean };
      response: { decode(payload: Buffer): Promise<unknown>; parse(decoded: unknown): Promise<unknown> };
      requestTimeout?: number | null;
      logResponseError?: boolean;
    }): Promise<unknown>;
    destroy(): Promise<void>;
  }
  export interface KafkajsBroker {
    nodeId: number | null;
    brokerAddress: string;
    versions: { [apiKey: number]: { minVersion: number; maxVersion: number } } | null;
    connectionPool: KafkajsConnectionPool;
    connect(): Promise<void>;
    disconnect(): Promise<void>;
    isConnected(): boolean;
  }
  export interface KafkajsPartitionMetadata {
    partitionErrorCode: number;
    partitionId: number;
    leader: number;
    replicas: number[];
    isr: number[];
  }
  export default class Cluster {
    constructor(options: {
      logger: unknown;
      socketFactory: unknown;
      brokers: string[] | (() => string[] | Promise<string[]>);
      ssl?: unknown;
      sasl?: unknown;
      clientId: string;
      connectionTimeout: number;
      authenticationTimeout?: number;
      requestTimeout: number;
      enforceRequestTimeout: boolean;
      retry: { retries?: number; initialRetryTime?: number; maxRetryTime?: number };
      allowAutoTopicCreation: boolean;
      metadataMaxAge?: number;
      isolationLevel?: number;
    });
    isConnected(): boolean;
    connect(): Promise<void>;
    disconnect(): Promise<void>;
    refreshMetadata(): Promise<void>;
    addMultipleTargetTopics(topics: string[]): Promise<void>;
    findTopicPartitionMetadata(topic: string): KafkajsPartitionMetadata[];
    findBroker(args: { nodeId: number | string }): Promise<KafkajsBroker>;
    findControllerBroker(): Promise<KafkajsBroker>;
    findGroupCoordinator(args: { groupId: string; coordinatorType?: number }): Promise<KafkajsBroker>;
    removeBroker(args: { host: string; port: number }): void;
  }
}

declare module 'sluice-kafkajs/src/network/socketFactory.js' {
  export default function socketFactory(): unknown;
}

declare module 'sluice-kafkajs/src/loggers/index.js' {
  export function createLogger(options: { level: number; logCreator: unknown }): unknown;
}
