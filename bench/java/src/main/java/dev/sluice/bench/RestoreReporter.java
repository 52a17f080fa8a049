package dev.sluice.bench;

import java.util.Map;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.processor.StateRestoreListener;

/**
 * Reports state restoration to the harness (scenario S5): "restore-start" at the first partition's
 * start, and "restore-end" with the records restored by all partitions once the client reaches
 * RUNNING after restoring. Restore runs on the state-updater thread, hence the synchronisation.
 */
final class RestoreReporter implements StateRestoreListener {
    private long firstStart = -1;
    private long lastEnd = -1;
    private long restored = 0;
    private int active = 0;
    private boolean reported = false;

    @Override
    public synchronized void onRestoreStart(TopicPartition tp, String store, long startOffset, long endOffset) {
        long now = System.currentTimeMillis();
        if (firstStart < 0) {
            firstStart = now;
            StreamsBench.emit(Map.of("event", "restore-start", "at", now));
        }
        active++;
    }

    @Override
    public synchronized void onBatchRestored(TopicPartition tp, String store, long batchEndOffset, long numRestored) {
        restored += numRestored;
    }

    @Override
    public synchronized void onRestoreEnd(TopicPartition tp, String store, long totalRestored) {
        lastEnd = System.currentTimeMillis();
        active--;
    }

    synchronized void onRunning() {
        if (reported || firstStart < 0 || active > 0) return;
        reported = true;
        StreamsBench.emit(Map.of("event", "restore-end", "at", lastEnd, "records", restored,
                "startedAt", firstStart));
    }
}
