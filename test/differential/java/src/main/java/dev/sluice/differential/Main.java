package dev.sluice.differential;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;

/**
 * Runs every scenario of the given JSON files through Kafka Streams' TopologyTestDriver, once per
 * variant (by default: record cache off, then on), and prints one JSON line per result: the
 * topology's describe() text, each output record (topic, key, value, timestamp) in the order
 * the topic received it, the produced topic names, or the error that stopped the run.
 *
 * Scenario format and the TypeScript twin: ../../../../../../README.md and ../../../../../../scenario.ts.
 */
public final class Main {
    private static final ObjectMapper JSON = new ObjectMapper();

    public static void main(final String[] args) throws Exception {
        final PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
        final String only = System.getenv("DIFFERENTIAL_ONLY");
        for (final String file : args) {
            final JsonNode root = JSON.readTree(Files.readString(Path.of(file)));
            for (final JsonNode scenario : root) {
                final String name = scenario.get("name").asText();
                if (only != null && !only.isEmpty() && !name.contains(only)) continue;
                for (final JsonNode variant : Scenarios.variants(scenario)) {
                    run(out, scenario, variant);
                }
            }
        }
        out.flush();
    }

    @SuppressWarnings("unchecked")
    private static void run(final PrintStream out, final JsonNode scenario, final JsonNode variant) {
        final String name = scenario.get("name").asText();
        final String variantName = variant.get("name").asText();
        final Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "differential");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG, Serdes.StringSerde.class.getName());
        props.put(StreamsConfig.DEFAULT_VALUE_SERDE_CLASS_CONFIG, Serdes.StringSerde.class.getName());
        putAll(props, scenario.get("config"));
        putAll(props, variant.get("config"));
        // building the topology and creating the driver (which validates it) are the "build" stage
        final Topology topology;
        final TopologyTestDriver driver;
        try {
            topology = new ScenarioTopology(scenario).build(props);
            driver = new TopologyTestDriver(topology, props, Instant.ofEpochMilli(0));
        } catch (final RuntimeException e) {
            print(out, line(name, variantName, "error").put("stage", "build").put("message", String.valueOf(e.getMessage())).put("exception", e.getClass().getName()));
            return;
        }
        print(out, line(name, variantName, "describe").put("text", topology.describe().toString()));
        try (driver) {
            try {
                pipe(driver, scenario);
            } catch (final RuntimeException e) {
                print(out, line(name, variantName, "error").put("stage", "process").put("message", String.valueOf(e.getMessage())).put("exception", e.getClass().getName()));
            }
            for (final JsonNode topic : scenario.get("output")) {
                final String t = topic.asText();
                final Serde<Object> keySerde = (Serde<Object>) Scenarios.serde(scenario, t, "key");
                final Serde<Object> valueSerde = (Serde<Object>) Scenarios.serde(scenario, t, "value");
                final TestOutputTopic<Object, Object> output = driver.createOutputTopic(t, keySerde.deserializer(), valueSerde.deserializer());
                for (final TestRecord<Object, Object> r : output.readRecordsToList()) {
                    final ObjectNode rec = line(name, variantName, "record").put("topic", t).put("timestamp", r.timestamp());
                    rec.set("key", JSON.valueToTree(r.key()));
                    rec.set("value", JSON.valueToTree(r.value()));
                    final com.fasterxml.jackson.databind.node.ArrayNode hs = rec.putArray("headers");
                    for (final org.apache.kafka.common.header.Header h : r.headers()) {
                        hs.addArray().add(h.key()).add(h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8));
                    }
                    print(out, rec);
                }
            }
            final ObjectNode produced = line(name, variantName, "topics");
            produced.set("names", JSON.valueToTree(new ArrayList<>(new TreeSet<>(driver.producedTopicNames()))));
            print(out, produced);
        }
    }

    @SuppressWarnings("unchecked")
    private static void pipe(final TopologyTestDriver driver, final JsonNode scenario) {
        for (final JsonNode step : scenario.get("input")) {
            if (step.has("advanceWallClockMs")) {
                driver.advanceWallClockTime(java.time.Duration.ofMillis(step.get("advanceWallClockMs").asLong()));
                continue;
            }
            // a record: { topic, key, value, timestamp } or the row [topic, key, value, timestamp]
            final boolean row = step.isArray();
            final String topic = (row ? step.get(0) : step.get("topic")).asText();
            final JsonNode key = row ? step.get(1) : step.get("key");
            final JsonNode value = row ? step.get(2) : step.get("value");
            final long timestamp = (row ? step.get(3) : step.get("timestamp")).asLong();
            final Serde<Object> keySerde = (Serde<Object>) Scenarios.serde(scenario, topic, "key");
            final Serde<Object> valueSerde = (Serde<Object>) Scenarios.serde(scenario, topic, "value");
            final TestInputTopic<Object, Object> input = driver.createInputTopic(topic, keySerde.serializer(), valueSerde.serializer());
            final org.apache.kafka.common.header.internals.RecordHeaders headers = new org.apache.kafka.common.header.internals.RecordHeaders();
            if (!row && step.has("headers")) {
                for (final Iterator<Map.Entry<String, JsonNode>> it = step.get("headers").fields(); it.hasNext(); ) {
                    final Map.Entry<String, JsonNode> h = it.next();
                    headers.add(h.getKey(), h.getValue().isNull() ? null : h.getValue().asText().getBytes(StandardCharsets.UTF_8));
                }
            }
            input.pipeInput(new TestRecord<>(Scenarios.value(scenario, topic, "key", key), Scenarios.value(scenario, topic, "value", value), headers, timestamp));
        }
    }

    private static void putAll(final Properties props, final JsonNode config) {
        if (config == null) return;
        for (final Iterator<Map.Entry<String, JsonNode>> it = config.fields(); it.hasNext(); ) {
            final Map.Entry<String, JsonNode> e = it.next();
            props.put(e.getKey(), e.getValue().asText());
        }
    }

    private static ObjectNode line(final String scenario, final String variant, final String type) {
        return JSON.createObjectNode().put("scenario", scenario).put("variant", variant).put("type", type);
    }

    private static void print(final PrintStream out, final ObjectNode node) {
        try {
            out.println(JSON.writeValueAsString(node));
        } catch (final Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private Main() {
    }

    static List<JsonNode> list(final JsonNode node) {
        final List<JsonNode> out = new ArrayList<>();
        if (node != null) node.forEach(out::add);
        return out;
    }
}
