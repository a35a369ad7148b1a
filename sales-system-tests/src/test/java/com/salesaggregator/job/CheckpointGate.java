package com.salesaggregator.job;

import com.salesaggregator.job.records.FxRateInput;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;

/**
 * Holds one checkpoint open on purpose: once {@link #arm armed}, the first checkpoint this
 * stateless pass-through sees blocks in its snapshot until the task is cancelled. A task sends the
 * barrier on before it snapshots, so every other operator, every sink included, still takes that
 * checkpoint: the sinks pre-commit their transactions, but the checkpoint never completes and
 * nothing is committed. A test uses it to fail the job exactly between pre-commit and commit.
 *
 * <p>The gate is controlled through static fields: the MiniCluster runs the job's tasks in the
 * test's JVM and class loader.
 */
final class CheckpointGate implements MapFunction<FxRateInput, FxRateInput>, CheckpointedFunction {

    private static final Object LOCK = new Object();
    private static volatile boolean armed;
    private static final AtomicLong held = new AtomicLong(-1);

    /** Adds the gate to {@code rates} in a branch of its own that ends in a discarding sink. */
    static void addTo(DataStream<FxRateInput> rates) {
        rates.map(new CheckpointGate())
                .uid("checkpoint-gate")
                .name("Checkpoint gate (test)")
                .sinkTo(new DiscardingSink<>())
                .uid("checkpoint-gate-discard")
                .name("Checkpoint gate output (discarded)");
    }

    /** Holds the next checkpoint the gate snapshots. */
    static void arm() {
        held.set(-1);
        armed = true;
    }

    /** Lets checkpoints pass again (a task already cancelled while held has stopped waiting). */
    static void disarm() {
        synchronized (LOCK) {
            armed = false;
            LOCK.notifyAll();
        }
    }

    /** The checkpoint being held, or -1. */
    static long held() {
        return held.get();
    }

    @Override
    public FxRateInput map(FxRateInput rate) {
        return rate;
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) throws InterruptedException {
        long checkpoint = context.getCheckpointId();
        // Only the first armed checkpoint: a restarted job's later checkpoints pass.
        if (!armed || !(held.compareAndSet(-1, checkpoint) || held.get() == checkpoint)) {
            return;
        }
        synchronized (LOCK) {
            while (armed) {
                // Cancelling the task interrupts this wait.
                LOCK.wait(1_000);
            }
        }
    }

    @Override
    public void initializeState(FunctionInitializationContext context) {}
}
