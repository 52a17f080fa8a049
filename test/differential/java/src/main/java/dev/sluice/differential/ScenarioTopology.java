package dev.sluice.differential;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.GlobalKTable;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.JoinWindows;
import org.apache.kafka.streams.kstream.Joined;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.KTable;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.kstream.StreamJoined;
import org.apache.kafka.streams.kstream.TableJoined;
import org.apache.kafka.streams.kstream.ValueJoinerWithKey;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowBytesStoreSupplier;

/**
 * Builds a scenario's topology from its "topology" steps. Each step names an operation ("op"), the
 * handle(s) it reads ("from", or "left" and "right") and the handle it creates ("as"). The
 * TypeScript twin is ../../../../../../scenario-topology.ts: a step means the same on both sides.
 */
@SuppressWarnings({"unchecked", "rawtypes"})
final class ScenarioTopology {
    /** A Named without a name: Kafka's DSL generates one, as when no Named is given. */
    private static final Named NO_NAME = new Named((String) null) { };
    private final JsonNode scenario;
    private final StreamsBuilder builder = new StreamsBuilder();
    private final Map<String, Object> handles = new HashMap<>();

    ScenarioTopology(final JsonNode scenario) {
        this.scenario = scenario;
    }

    Topology build(final Properties props) {
        for (final JsonNode step : scenario.get("topology")) apply(step);
        return builder.build(props);
    }

    private void apply(final JsonNode s) {
        final String op = s.get("op").asText();
        switch (op) {
            case "stream": {
                final List<String> topics = new ArrayList<>();
                if (s.get("topic").isArray()) s.get("topic").forEach(t -> topics.add(t.asText()));
                else topics.add(s.get("topic").asText());
                Consumed c = Consumed.with(serde(s, "key"), serde(s, "value"));
                if (s.has("name")) c = c.withName(s.get("name").asText());
                put(s, builder.stream(topics, c));
                break;
            }
            case "table": {
                Consumed c = Consumed.with(serde(s, "key"), serde(s, "value"));
                if (s.has("name")) c = c.withName(s.get("name").asText());
                put(s, s.has("materialized") ? builder.table(s.get("topic").asText(), c, materialized(s.get("materialized"))) : builder.table(s.get("topic").asText(), c));
                break;
            }
            case "globalTable": {
                Consumed c = Consumed.with(serde(s, "key"), serde(s, "value"));
                if (s.has("name")) c = c.withName(s.get("name").asText());
                put(s, s.has("materialized") ? builder.globalTable(s.get("topic").asText(), c, materialized(s.get("materialized"))) : builder.globalTable(s.get("topic").asText(), c));
                break;
            }
            case "toStream":
                put(s, s.has("name") ? table(s, "from").toStream(Named.as(s.get("name").asText())) : table(s, "from").toStream());
                break;
            case "toTable":
                put(s, s.has("materialized") ? stream(s, "from").toTable(named(s), materialized(s.get("materialized"))) : stream(s, "from").toTable(named(s)));
                break;
            case "to":
                stream(s, "from").to(s.get("topic").asText(), Produced.with(serde(s, "key"), serde(s, "value")));
                break;
            case "selectKey":
                put(s, stream(s, "from").selectKey(Fns.keySelector(s.get("fn").asText())));
                break;
            case "map":
                put(s, stream(s, "from").map(Fns.mapper(s.get("fn").asText())));
                break;
            case "mapValues":
                if (handles.get(s.get("from").asText()) instanceof KTable) {
                    put(s, s.has("materialized") ? table(s, "from").mapValues(Fns.valueMapper(s.get("fn").asText()), named(s), materialized(s.get("materialized"))) : table(s, "from").mapValues(Fns.valueMapper(s.get("fn").asText()), named(s)));
                } else {
                    put(s, stream(s, "from").mapValues(Fns.valueMapper(s.get("fn").asText())));
                }
                break;
            case "filter":
                if (handles.get(s.get("from").asText()) instanceof KTable) {
                    put(s, s.has("materialized") ? table(s, "from").filter(Fns.predicate(s.get("fn").asText()), named(s), materialized(s.get("materialized"))) : table(s, "from").filter(Fns.predicate(s.get("fn").asText()), named(s)));
                } else {
                    put(s, stream(s, "from").filter(Fns.predicate(s.get("fn").asText())));
                }
                break;
            case "repartition": {
                Repartitioned r = Repartitioned.with(serde(s, "key"), serde(s, "value"));
                if (s.has("name")) r = r.withName(s.get("name").asText());
                if (s.has("partitions")) r = r.withNumberOfPartitions(s.get("partitions").asInt());
                put(s, stream(s, "from").repartition(r));
                break;
            }
            case "count": {
                if (handles.get(s.get("from").asText()) instanceof KTable) {
                    // a table regrouped: groupBy((k, v) -> (selector(k, v), v)).count()
                    final KTable t = table(s, "from");
                    final org.apache.kafka.streams.kstream.KeyValueMapper sel = Fns.keySelector(s.get("groupBy").asText());
                    final Materialized m = s.has("materialized") ? materialized(s.get("materialized")) : Materialized.with(serde(s, "key"), (Serde) Scenarios.byName("long"));
                    put(s, t.groupBy((k, v) -> org.apache.kafka.streams.KeyValue.pair(sel.apply(k, v), v), Grouped.with(serde(s, "key"), serde(s, "value"))).count(m));
                    break;
                }
                final KStream from = stream(s, "from");
                final Materialized m = s.has("materialized") ? materialized(s.get("materialized")) : Materialized.with(serde(s, "key"), (Serde) Scenarios.byName("long"));
                if (s.has("groupBy")) put(s, from.groupBy(Fns.keySelector(s.get("groupBy").asText()), Grouped.with(serde(s, "key"), serde(s, "value"))).count(m));
                else put(s, from.groupByKey(Grouped.with(serde(s, "key"), serde(s, "value"))).count(m));
                break;
            }
            case "suppress":
                put(s, table(s, "from").suppress(org.apache.kafka.streams.kstream.Suppressed.untilTimeLimit(Duration.ofMillis(s.get("untilTimeLimitMs").asLong()), org.apache.kafka.streams.kstream.Suppressed.BufferConfig.unbounded())));
                break;
            case "join":
            case "leftJoin":
            case "outerJoin":
                put(s, join(op, s));
                break;
            default:
                throw new IllegalArgumentException("unknown step op '" + op + "'");
        }
    }

    private Object join(final String op, final JsonNode s) {
        final Object left = handles.get(s.get("left").asText());
        final Object right = handles.get(s.get("right").asText());
        final ValueJoinerWithKey joiner = Fns.joiner(s.get("joiner").asText());
        if (left instanceof KStream && right instanceof GlobalKTable) {
            // a stream with a global table: the key selector picks the table key
            final org.apache.kafka.streams.kstream.KeyValueMapper ks = Fns.keySelector(s.get("keySelector").asText());
            final KStream l = (KStream) left;
            if (s.has("name")) {
                final Named n = Named.as(s.get("name").asText());
                return op.equals("join") ? l.join((GlobalKTable) right, ks, joiner, n) : l.leftJoin((GlobalKTable) right, ks, joiner, n);
            }
            return op.equals("join") ? l.join((GlobalKTable) right, ks, joiner) : l.leftJoin((GlobalKTable) right, ks, joiner);
        }
        if (left instanceof KTable && s.has("foreignKey")) {
            // foreign-key join: the extractor reads the value (Function<V, KO>); joiners see no key
            final org.apache.kafka.streams.kstream.KeyValueMapper ks = Fns.keySelector(s.get("foreignKey").asText());
            final java.util.function.Function extract = v -> ks.apply(null, v);
            final org.apache.kafka.streams.kstream.ValueJoiner vj = (a, b) -> joiner.apply(null, a, b);
            final TableJoined tj = s.has("name") ? TableJoined.as(s.get("name").asText()) : TableJoined.with(null, null);
            final KTable l = (KTable) left;
            if (s.has("materialized")) {
                final Materialized m = materialized(s.get("materialized"));
                return op.equals("join") ? l.join((KTable) right, extract, vj, tj, m) : l.leftJoin((KTable) right, extract, vj, tj, m);
            }
            return op.equals("join") ? l.join((KTable) right, extract, vj, tj) : l.leftJoin((KTable) right, extract, vj, tj);
        }
        if (left instanceof KStream && right instanceof KStream) {
            final JoinWindows w = windows(s.get("windows"));
            final StreamJoined sj = streamJoined(s.get("streamJoined"), w);
            final KStream l = (KStream) left;
            if (op.equals("join")) return l.join((KStream) right, joiner, w, sj);
            if (op.equals("leftJoin")) return l.leftJoin((KStream) right, joiner, w, sj);
            return l.outerJoin((KStream) right, joiner, w, sj);
        }
        if (left instanceof KStream) {
            final Joined j = joined(s.get("joined"));
            final KStream l = (KStream) left;
            return op.equals("join") ? l.join((KTable) right, joiner, j) : l.leftJoin((KTable) right, joiner, j);
        }
        final KTable l = (KTable) left;
        final Named named = s.has("name") ? Named.as(s.get("name").asText()) : null;
        final org.apache.kafka.streams.kstream.ValueJoiner vj = (a, b) -> joiner.apply(null, a, b);
        if (s.has("materialized")) {
            final Materialized m = materialized(s.get("materialized"));
            if (op.equals("join")) return named == null ? l.join((KTable) right, vj, m) : l.join((KTable) right, vj, named, m);
            if (op.equals("leftJoin")) return named == null ? l.leftJoin((KTable) right, vj, m) : l.leftJoin((KTable) right, vj, named, m);
            return named == null ? l.outerJoin((KTable) right, vj, m) : l.outerJoin((KTable) right, vj, named, m);
        }
        if (op.equals("join")) return named == null ? l.join((KTable) right, vj) : l.join((KTable) right, vj, named);
        if (op.equals("leftJoin")) return named == null ? l.leftJoin((KTable) right, vj) : l.leftJoin((KTable) right, vj, named);
        return named == null ? l.outerJoin((KTable) right, vj) : l.outerJoin((KTable) right, vj, named);
    }

    private static JoinWindows windows(final JsonNode w) {
        final Duration diff = Duration.ofMillis(w.get("timeDifferenceMs").asLong());
        JoinWindows out = w.has("graceMs") ? JoinWindows.ofTimeDifferenceAndGrace(diff, Duration.ofMillis(w.get("graceMs").asLong())) : JoinWindows.ofTimeDifferenceWithNoGrace(diff);
        if (w.has("beforeMs")) out = out.before(Duration.ofMillis(w.get("beforeMs").asLong()));
        if (w.has("afterMs")) out = out.after(Duration.ofMillis(w.get("afterMs").asLong()));
        return out;
    }

    private StreamJoined streamJoined(final JsonNode j, final JoinWindows w) {
        StreamJoined out = StreamJoined.with(serde(j, "key"), serde(j, "value"), serde(j, "otherValue"));
        if (j == null) return out;
        if (j.has("name")) out = out.withName(j.get("name").asText());
        if (j.has("storeName")) out = out.withStoreName(j.get("storeName").asText());
        if (j.has("logging") && !j.get("logging").asBoolean()) out = out.withLoggingDisabled();
        if (j.has("thisStore")) out = out.withThisStoreSupplier(windowSupplier(j.get("thisStore"), w));
        if (j.has("otherStore")) out = out.withOtherStoreSupplier(windowSupplier(j.get("otherStore"), w));
        return out;
    }

    private static WindowBytesStoreSupplier windowSupplier(final JsonNode s, final JoinWindows w) {
        final String name = s.get("name").asText();
        final Duration retention = Duration.ofMillis(w.size() + w.gracePeriodMs());
        final Duration size = Duration.ofMillis(w.size());
        return "in_memory".equals(s.path("type").asText("rocksdb")) ? Stores.inMemoryWindowStore(name, retention, size, true) : Stores.persistentWindowStore(name, retention, size, true);
    }

    private Joined joined(final JsonNode j) {
        Joined out = Joined.with(serde(j, "key"), serde(j, "value"), serde(j, "otherValue"));
        if (j == null) return out;
        if (j.has("name")) out = out.withName(j.get("name").asText());
        if (j.has("graceMs")) out = out.withGracePeriod(Duration.ofMillis(j.get("graceMs").asLong()));
        return out;
    }

    private Materialized<Object, Object, KeyValueStore<Bytes, byte[]>> materialized(final JsonNode m) {
        Materialized<Object, Object, KeyValueStore<Bytes, byte[]>> out;
        if (m.has("versioned")) {
            final JsonNode v = m.get("versioned");
            final Duration history = Duration.ofMillis(v.get("historyRetentionMs").asLong());
            out = Materialized.as(v.has("segmentIntervalMs")
                ? Stores.persistentVersionedKeyValueStore(m.get("name").asText(), history, Duration.ofMillis(v.get("segmentIntervalMs").asLong()))
                : Stores.persistentVersionedKeyValueStore(m.get("name").asText(), history));
        } else if (m.has("name")) {
            out = Materialized.as(m.get("name").asText());
        } else {
            out = Materialized.with(null, null);
        }
        if (m.has("key")) out = out.withKeySerde((Serde) Scenarios.byName(m.get("key").asText()));
        if (m.has("value")) out = out.withValueSerde((Serde) Scenarios.byName(m.get("value").asText()));
        if (m.has("storeType")) out = out.withStoreType("in_memory".equals(m.get("storeType").asText()) ? Materialized.StoreType.IN_MEMORY : Materialized.StoreType.ROCKS_DB);
        if (m.has("caching")) out = m.get("caching").asBoolean() ? out.withCachingEnabled() : out.withCachingDisabled();
        if (m.has("logging") && !m.get("logging").asBoolean()) out = out.withLoggingDisabled();
        return out;
    }

    /** Named.as(name) for a step with a "name"; Kafka's DSL takes a null-named Named as "generate one". */
    private static Named named(final JsonNode s) {
        return s.has("name") ? Named.as(s.get("name").asText()) : NO_NAME;
    }

    private static Serde serde(final JsonNode s, final String which) {
        return s != null && s.has(which) ? Scenarios.byName(s.get(which).asText()) : Scenarios.byName("string");
    }

    private void put(final JsonNode s, final Object handle) {
        if (s.has("as")) handles.put(s.get("as").asText(), handle);
    }

    private KStream<Object, Object> stream(final JsonNode s, final String field) {
        final Object h = handles.get(s.get(field).asText());
        if (!(h instanceof KStream)) throw new IllegalArgumentException("step " + s + ": '" + s.get(field).asText() + "' is not a stream");
        return (KStream<Object, Object>) h;
    }

    private KTable<Object, Object> table(final JsonNode s, final String field) {
        final Object h = handles.get(s.get(field).asText());
        if (!(h instanceof KTable)) throw new IllegalArgumentException("step " + s + ": '" + s.get(field).asText() + "' is not a table");
        return (KTable<Object, Object>) h;
    }
}
