// @sluice/serdes: turning typed keys and values into bytes and back.

export type { Serde, Serializer, Deserializer } from './serde.js';
export { serdeFrom } from './serde.js';
export { Serdes } from './primitive-serdes.js';
export { TimeWindow, SessionWindow, Windowed, WindowedSerdes } from './windowed.js';
export type { Window } from './windowed.js';
