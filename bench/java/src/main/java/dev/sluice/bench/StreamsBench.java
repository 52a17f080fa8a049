package dev.sluice.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.JoinWindows;
import org.apache.kafka.streams.kstream.Joined;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.KTable;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.StreamJoined;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.WindowStore;

/**
 * Runs one benchmark scenario's topology on Java Kafka Streams with one stream thread, and reports
 * to the harness (bench/run.ts) through "BENCH {json}" lines on stdout: the version, the wall-clock
 * time of the first consumed input record (FirstInputInterceptor), restore progress (S5), state
 * changes, and errors. It runs until SIGTERM, then closes cleanly.
 *
 * Arguments: --scenario s1..s7 --brokers --app-id --input --output --partitions --state-dir
 * --commit-interval-ms --cache-max-bytes --guarantee at_least_once|exactly_once_v2
 * --window-size-ms --grace-ms; S6/S7: --other-input (payments / customers), S6: --join-window-ms;
 * --start-gate FILE (several workers): emit "ready", start once FILE exists
 */
public final class StreamsBench {
    static final String REPARTITION_NAME = "words";
    static final String COUNT_STORE = "word-counts";
    static final String WINDOW_STORE = "window-counts";
    static final String RESTORE_STORE = "restore-store";
    static final String JOIN_STORE = "order-payments";
    static final String TABLE_STORE = "customers-store";

    private StreamsBench() {}

    public static void main(String[] argv) throws Exception {
        Map<String, String> args = parseArgs(argv);
        String scenario = need(args, "scenario");
        Topology topology = topology(scenario, args);

        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, need(args, "app-id"));
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, need(args, "brokers"));
        props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, Integer.parseInt(args.getOrDefault("stream-threads", "1")));
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, Long.parseLong(need(args, "commit-interval-ms")));
        props.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, Long.parseLong(need(args, "cache-max-bytes")));
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, need(args, "guarantee"));
        props.put(StreamsConfig.STATE_DIR_CONFIG, need(args, "state-dir"));
        props.put(StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG, Serdes.StringSerde.class);
        props.put(StreamsConfig.DEFAULT_VALUE_SERDE_CLASS_CONFIG, Serdes.StringSerde.class);
        props.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, 1);
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
        props.put(StreamsConfig.mainConsumerPrefix(ConsumerConfig.INTERCEPTOR_CLASSES_CONFIG),
                FirstInputInterceptor.class.getName());
        for (Map.Entry<String, String> e : args.entrySet()) {
            // --config.<name>=<value> passes any other Streams/client config through unchanged
            if (e.getKey().startsWith("config.")) props.put(e.getKey().substring("config.".length()), e.getValue());
        }
        Files.createDirectories(Path.of(need(args, "state-dir")));

        Map<String, Object> info = new HashMap<>();
        info.put("event", "info");
        info.put("version", kafkaVersion());
        info.put("java", System.getProperty("java.version"));
        info.put("vm", System.getProperty("java.vm.name"));
        info.put("topology", topology.describe().toString());
        emit(info);

        KafkaStreams streams = new KafkaStreams(topology, props);
        RestoreReporter restore = new RestoreReporter(Integer.parseInt(need(args, "partitions")));
        streams.setGlobalStateRestoreListener(restore);
        CountDownLatch stopped = new CountDownLatch(1);
        streams.setStateListener((next, prev) -> {
            emit(Map.of("event", "state", "state", next.name(), "at", System.currentTimeMillis()));
            if (next == KafkaStreams.State.ERROR || next == KafkaStreams.State.NOT_RUNNING) stopped.countDown();
        });
        streams.setUncaughtExceptionHandler(e -> {
            emit(Map.of("event", "error", "message", String.valueOf(e)));
            return org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        });
        AtomicBoolean closing = new AtomicBoolean(false);
        Thread closer = new Thread(() -> {
            if (closing.compareAndSet(false, true)) {
                // leave the group: S5's restart with the same application id would otherwise wait
                // for this member's session timeout (45 s) before it gets the partitions
                streams.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                        .withTimeout(Duration.ofSeconds(30)));
                emit(Map.of("event", "closed", "at", System.currentTimeMillis()));
            }
        }, "bench-shutdown");
        Runtime.getRuntime().addShutdownHook(closer);
        String gate = args.getOrDefault("start-gate", "");
        if (!gate.isEmpty()) {
            // one of several workers: join the group when all of them are up, not as this JVM is
            emit(Map.of("event", "ready", "at", System.currentTimeMillis()));
            Path open = Path.of(gate);
            while (!Files.exists(open)) Thread.sleep(5);
        }
        streams.start();
        stopped.await();
        if (!closing.get()) System.exit(1);
    }

    static Topology topology(String scenario, Map<String, String> args) {
        StreamsBuilder builder = new StreamsBuilder();
        String input = need(args, "input");
        KStream<String, String> in = builder.stream(input, Consumed.with(Serdes.String(), Serdes.String()));
        switch (scenario) {
            case "s1" -> in
                    // values start with a decimal digit; 8 in 10 pass (the harness knows which)
                    .filter((k, v) -> v != null && !v.isEmpty() && v.charAt(0) < '8')
                    .mapValues(v -> v.toUpperCase())
                    .to(need(args, "output"), Produced.with(Serdes.String(), Serdes.String()));
            case "s2", "s4" -> in
                    .flatMapValues(v -> Arrays.asList(v.split(" ")))
                    .groupBy((k, word) -> word, Grouped.with(REPARTITION_NAME, Serdes.String(), Serdes.String()))
                    .count(Materialized.<String, Long, KeyValueStore<Bytes, byte[]>>as(COUNT_STORE)
                            .withKeySerde(Serdes.String()).withValueSerde(Serdes.Long()))
                    .toStream()
                    .mapValues(c -> Long.toString(c))
                    .to(need(args, "output"), Produced.with(Serdes.String(), Serdes.String()));
            case "s3" -> in
                    .groupByKey(Grouped.with(Serdes.String(), Serdes.String()))
                    .windowedBy(TimeWindows.ofSizeAndGrace(
                            Duration.ofMillis(Long.parseLong(need(args, "window-size-ms"))),
                            Duration.ofMillis(Long.parseLong(need(args, "grace-ms")))))
                    .count(Materialized.<String, Long, WindowStore<Bytes, byte[]>>as(WINDOW_STORE)
                            .withKeySerde(Serdes.String()).withValueSerde(Serdes.Long()))
                    .toStream()
                    .map((wk, c) -> KeyValue.pair(wk.key() + "@" + wk.window().start(), Long.toString(c)))
                    .to(need(args, "output"), Produced.with(Serdes.String(), Serdes.String()));
            case "s5" -> in.toTable(Materialized.<String, String, KeyValueStore<Bytes, byte[]>>as(RESTORE_STORE)
                    .withKeySerde(Serdes.String()).withValueSerde(Serdes.String()));
            case "s6" -> {
                // orders ⋈ payments: both window stores (and their changelogs) named after JOIN_STORE
                KStream<String, String> payments = builder.stream(need(args, "other-input"), Consumed.with(Serdes.String(), Serdes.String()));
                in.join(payments, (order, payment) -> order + "|" + payment,
                                JoinWindows.ofTimeDifferenceAndGrace(
                                        Duration.ofMillis(Long.parseLong(need(args, "join-window-ms"))),
                                        Duration.ofMillis(Long.parseLong(need(args, "grace-ms")))),
                                StreamJoined.with(Serdes.String(), Serdes.String(), Serdes.String()).withStoreName(JOIN_STORE))
                        .to(need(args, "output"), Produced.with(Serdes.String(), Serdes.String()));
            }
            case "s7" -> {
                KTable<String, String> customers = builder.table(need(args, "other-input"), Consumed.with(Serdes.String(), Serdes.String()),
                        Materialized.<String, String, KeyValueStore<Bytes, byte[]>>as(TABLE_STORE)
                                .withKeySerde(Serdes.String()).withValueSerde(Serdes.String()));
                in.join(customers, (click, customer) -> click + "|" + customer, Joined.with(Serdes.String(), Serdes.String(), Serdes.String()))
                        .to(need(args, "output"), Produced.with(Serdes.String(), Serdes.String()));
            }
            default -> throw new IllegalArgumentException("unknown scenario '" + scenario + "': expected s1 to s7");
        }
        return builder.build();
    }

    static Map<String, String> parseArgs(String[] argv) {
        Map<String, String> out = new HashMap<>();
        for (int i = 0; i < argv.length; i++) {
            String a = argv[i];
            if (!a.startsWith("--")) throw new IllegalArgumentException("expected --name value, got '" + a + "'");
            int eq = a.indexOf('=');
            if (eq > 0) out.put(a.substring(2, eq), a.substring(eq + 1));
            else if (i + 1 < argv.length) out.put(a.substring(2), argv[++i]);
            else throw new IllegalArgumentException("missing value after " + a);
        }
        return out;
    }

    static String need(Map<String, String> args, String name) {
        String v = args.get(name);
        if (v == null) throw new IllegalArgumentException("missing --" + name + " (see the class comment of StreamsBench)");
        return v;
    }

    /** One JSON object per line, prefixed so the harness can tell it from log output. */
    static synchronized void emit(Map<String, ?> fields) {
        StringBuilder sb = new StringBuilder("BENCH {");
        boolean first = true;
        for (Map.Entry<String, ?> e : fields.entrySet()) {
            if (!first) sb.append(',');
            first = false;
            sb.append(json(e.getKey())).append(':');
            Object v = e.getValue();
            sb.append(v instanceof Number ? v.toString() : json(String.valueOf(v)));
        }
        System.out.println(sb.append('}'));
        System.out.flush();
    }

    static String json(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) sb.append(String.format("\\u%04x", (int) c));
                    else sb.append(c);
                }
            }
        }
        return sb.append('"').toString();
    }

    /** The client's own version file (what AppInfoParser reads; that class is internal in 4.x). */
    static String kafkaVersion() {
        try (var in = KafkaStreams.class.getResourceAsStream("/kafka/kafka-version.properties")) {
            Properties p = new Properties();
            if (in != null) p.load(in);
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }
}
