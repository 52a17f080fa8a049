package dev.sluice.bench;

import java.util.Map;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.processor.StateRestoreListener;

/**
 * Reports state restoration to the harness (scenario S5): "restore-start" at the first partition's
 * start, and "restore-end" with the records restored once every changelog partition has finished.
 * Restore runs on the state-updater thread, possibly after the client already reports RUNNING, so
 * the end is counted per partition rather than read from state changes.
 */
final class RestoreReporter implements StateRestoreListener {
    private final int partitions;
    private long firstStart = -1;
    private long restored = 0;
    private int ended = 0;

    RestoreReporter(int partitions) {
        this.partitions = partitions;
    }

    @Override
    public synchronized void onRestoreStart(TopicPartition tp, String store, long startOffset, long endOffset) {
        long now = System.currentTimeMillis();
        if (firstStart < 0) {
            firstStart = now;
            StreamsBench.emit(Map.of("event", "restore-start", "at", now));
        }
    }

    @Override
    public synchronized void onBatchRestored(TopicPartition tp, String store, long batchEndOffset, long numRestored) {
        restored += numRestored;
    }

    @Override
    public synchronized void onRestoreEnd(TopicPartition tp, String store, long totalRestored) {
        if (++ended == partitions) {
            StreamsBench.emit(Map.of("event", "restore-end", "at", System.currentTimeMillis(),
                    "records", restored, "startedAt", firstStart));
        }
    }
}
