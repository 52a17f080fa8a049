package dev.sluice.differential;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/** What every scenario shares: its variants, the serdes of its topics, and JSON values as Java values. */
final class Scenarios {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The scenario's variants, or the default pair: record cache off, record cache on. */
    static List<JsonNode> variants(final JsonNode scenario) {
        if (scenario.has("variants")) return Main.list(scenario.get("variants"));
        final ArrayNode out = JSON.createArrayNode();
        out.add(variant("cache-off", 0));
        out.add(variant("cache-on", 10 * 1024 * 1024));
        return Main.list(out);
    }

    private static ObjectNode variant(final String name, final long cacheBytes) {
        final ObjectNode v = JSON.createObjectNode().put("name", name);
        v.putObject("config").put("statestore.cache.max.bytes", cacheBytes);
        return v;
    }

    /** The serde named in the scenario's "topics" entry for this topic (default: string). */
    static Serde<?> serde(final JsonNode scenario, final String topic, final String which) {
        final JsonNode topics = scenario.get("topics");
        final JsonNode t = topics == null ? null : topics.get(topic);
        return byName(t == null || !t.has(which) ? "string" : t.get(which).asText());
    }

    static Serde<?> byName(final String name) {
        switch (name == null ? "string" : name) {
            case "string": return Serdes.String();
            case "long": return Serdes.Long();
            case "integer": return Serdes.Integer();
            default: throw new IllegalArgumentException("unknown serde '" + name + "' (string, long, integer)");
        }
    }

    /** A JSON value as the Java value its topic's serde takes (null stays null). */
    static Object value(final JsonNode scenario, final String topic, final String which, final JsonNode v) {
        if (v == null || v.isNull()) return null;
        final JsonNode topics = scenario.get("topics");
        final JsonNode t = topics == null ? null : topics.get(topic);
        final String serde = t == null || !t.has(which) ? "string" : t.get(which).asText();
        switch (serde) {
            case "long": return v.asLong();
            case "integer": return v.asInt();
            default: return v.asText();
        }
    }

    private Scenarios() {
    }
}
