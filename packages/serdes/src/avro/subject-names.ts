// Owns how a serde picks the registry subject for a topic, with the names and results of Confluent's
// subject name strategies, so Sluice and Java clients register under the same subjects.
import { ConfigError } from '@sluice/common';

export interface SubjectNameContext {
  readonly topic: string;
  readonly isKey: boolean;
  /** The schema's full name (namespace.name); undefined for unnamed schemas such as "string". */
  readonly recordName: string | undefined;
}

/**
 * How a topic maps to a subject, as Confluent's strategies do: TopicNameStrategy gives `<topic>-key` /
 * `<topic>-value` (the default), RecordNameStrategy the schema's full name whatever the topic,
 * TopicRecordNameStrategy `<topic>-<full name>`; a function decides for itself.
 */
export type SubjectNameStrategy = 'TopicNameStrategy' | 'RecordNameStrategy' | 'TopicRecordNameStrategy' | ((context: SubjectNameContext) => string);

/** Maps a topic to its subject; `topicIndependent` when every topic gets the same subject. */
export interface SubjectNamer {
  subjectFor(topic: string): string;
  readonly topicIndependent: boolean;
}

export function subjectNamer(options: { subject?: string; strategy?: SubjectNameStrategy; isKey: boolean; recordName: string | undefined }): SubjectNamer {
  const { subject, strategy, isKey, recordName } = options;
  if (subject !== undefined) {
    if (strategy !== undefined) {
      throw new ConfigError(`Avro serde got both subject '${subject}' and subjectNameStrategy; a fixed subject replaces the strategy — pass only one`);
    }
    if (subject.length === 0) throw new ConfigError('Avro serde got an empty subject; pass a subject name or leave it out to use TopicNameStrategy');
    return { subjectFor: () => subject, topicIndependent: true };
  }
  const needRecordName = (name: string): string => {
    if (recordName === undefined) {
      throw new ConfigError(`Avro serde: ${name} needs a named schema (record, enum or fixed), but the schema has no name; use TopicNameStrategy or a fixed subject`);
    }
    return recordName;
  };
  switch (strategy) {
    case undefined:
    case 'TopicNameStrategy': {
      const suffix = isKey ? '-key' : '-value';
      return { subjectFor: (topic) => topic + suffix, topicIndependent: false };
    }
    case 'RecordNameStrategy': {
      const name = needRecordName(strategy);
      return { subjectFor: () => name, topicIndependent: true };
    }
    case 'TopicRecordNameStrategy': {
      const name = needRecordName(strategy);
      return { subjectFor: (topic) => `${topic}-${name}`, topicIndependent: false };
    }
    default: {
      if (typeof strategy !== 'function') {
        throw new ConfigError(
          `Avro serde: unknown subjectNameStrategy ${JSON.stringify(strategy)}; use 'TopicNameStrategy', 'RecordNameStrategy', 'TopicRecordNameStrategy' or a function`,
        );
      }
      const custom = strategy;
      return { subjectFor: (topic) => custom({ topic, isKey, recordName }), topicIndependent: false };
    }
  }
}
