// Owns the hook by which DSL parts whose serdes may come from the application's defaults (stores of
// aggregations, serdes of grouped-table repartition topics) learn those defaults before running.
import type { Serde } from '@sluice/serdes';

export interface SerdeDefaults {
  readonly defaultKeySerde: Serde<unknown> | undefined;
  readonly defaultValueSerde: Serde<unknown> | undefined;
}

export interface DefaultsAware {
  bindDefaults(defaults: SerdeDefaults): void;
  /** Problems if serdes are still missing with these defaults (messages saying how to fix them). */
  missingSerdes?(defaults: SerdeDefaults): string[];
}
