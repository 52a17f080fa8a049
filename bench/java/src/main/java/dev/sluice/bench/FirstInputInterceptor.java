package dev.sluice.bench;

import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.kafka.clients.consumer.ConsumerInterceptor;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Reports the wall-clock time at which the main consumer first returned records: the start of the
 * throughput window ("first input consumed"). Installed on the main consumer only, so restore and
 * global consumers do not trigger it. Costs one boolean check per poll, nothing per record.
 */
public final class FirstInputInterceptor implements ConsumerInterceptor<byte[], byte[]> {
    private static final AtomicBoolean SEEN = new AtomicBoolean(false);

    @Override
    public ConsumerRecords<byte[], byte[]> onConsume(ConsumerRecords<byte[], byte[]> records) {
        if (!records.isEmpty() && !SEEN.get() && SEEN.compareAndSet(false, true)) {
            StreamsBench.emit(Map.of("event", "first-input", "at", System.currentTimeMillis()));
        }
        return records;
    }

    @Override
    public void onCommit(Map<TopicPartition, OffsetAndMetadata> offsets) {}

    @Override
    public void close() {}

    @Override
    public void configure(Map<String, ?> configs) {}
}
