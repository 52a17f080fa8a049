package dev.sluice.differential;

import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.kstream.KeyValueMapper;
import org.apache.kafka.streams.kstream.Predicate;
import org.apache.kafka.streams.kstream.ValueJoinerWithKey;
import org.apache.kafka.streams.kstream.ValueMapperWithKey;

/**
 * The named functions scenarios may use. Each has a twin of the same name and behaviour in
 * ../../../../../../functions.ts; add both together.
 */
final class Fns {
    static ValueJoinerWithKey<Object, Object, Object, Object> joiner(final String name) {
        switch (name) {
            case "concat": return (k, a, b) -> a + "+" + b;
            case "keyConcat": return (k, a, b) -> k + ":" + a + "+" + b;
            default: throw new IllegalArgumentException("unknown joiner '" + name + "'");
        }
    }

    static KeyValueMapper<Object, Object, Object> keySelector(final String name) {
        switch (name) {
            case "valueBeforeColon": return (k, v) -> v == null ? null : String.valueOf(v).split(":", 2)[0];
            case "keyUpper": return (k, v) -> k == null ? null : String.valueOf(k).toUpperCase();
            case "keyLower": return (k, v) -> k == null ? null : String.valueOf(k).toLowerCase();
            default: throw new IllegalArgumentException("unknown key selector '" + name + "'");
        }
    }

    static KeyValueMapper<Object, Object, KeyValue<Object, Object>> mapper(final String name) {
        switch (name) {
            case "swap": return (k, v) -> KeyValue.pair(v, k);
            case "keyUpperValueSame": return (k, v) -> KeyValue.pair(k == null ? null : String.valueOf(k).toUpperCase(), v);
            default: throw new IllegalArgumentException("unknown mapper '" + name + "'");
        }
    }

    static ValueMapperWithKey<Object, Object, Object> valueMapper(final String name) {
        switch (name) {
            case "upper": return (k, v) -> v == null ? null : String.valueOf(v).toUpperCase();
            case "suffixX": return (k, v) -> v == null ? null : v + "x";
            default: throw new IllegalArgumentException("unknown value mapper '" + name + "'");
        }
    }

    static Predicate<Object, Object> predicate(final String name) {
        switch (name) {
            case "keyIsNotC": return (k, v) -> !"C".equals(k);
            case "valueHasNoX": return (k, v) -> v != null && !String.valueOf(v).contains("x");
            default: throw new IllegalArgumentException("unknown predicate '" + name + "'");
        }
    }

    private Fns() {
    }
}
