package com.salesaggregator.bench;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import javax.management.ListenerNotFoundException;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

/**
 * Wall time, CPU time and peak live heap of one measured run. Everything runs in one JVM (broker,
 * contender, driver), so CPU and heap are the whole process's: the broker's share is in every
 * contender's figure alike. The heap figure is the largest heap in use right after a garbage
 * collection during the run: what was live, not how far the young generation was let grow.
 */
final class Meter {

    /** What one run cost; {@code peakHeapBytes} is -1 if no collection happened during it. */
    record Cost(double seconds, double cpuSeconds, long peakHeapBytes) {}

    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private static final Set<String> HEAP_POOLS =
            ManagementFactory.getMemoryPoolMXBeans().stream()
                    .filter(p -> p.getType() == MemoryType.HEAP)
                    .map(MemoryPoolMXBean::getName)
                    .collect(Collectors.toSet());

    private final long startNanos;
    private final long startCpuNanos;
    private final AtomicLong peakAfterGc = new AtomicLong(-1);
    private final List<Runnable> unsubscribe = new ArrayList<>();

    private Meter() {
        // A collection first, so that each run starts from the live heap, not its predecessor's
        // garbage.
        System.gc();
        NotificationListener listener =
                (notification, handback) -> {
                    if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(
                            notification.getType())) {
                        return;
                    }
                    GarbageCollectionNotificationInfo info =
                            GarbageCollectionNotificationInfo.from(
                                    (CompositeData) notification.getUserData());
                    long used = 0;
                    for (var pool : info.getGcInfo().getMemoryUsageAfterGc().entrySet()) {
                        if (HEAP_POOLS.contains(pool.getKey())) {
                            MemoryUsage usage = pool.getValue();
                            used += usage.getUsed();
                        }
                    }
                    long live = used;
                    peakAfterGc.accumulateAndGet(live, Math::max);
                };
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (gc instanceof NotificationEmitter emitter) {
                emitter.addNotificationListener(listener, null, null);
                unsubscribe.add(
                        () -> {
                            try {
                                emitter.removeNotificationListener(listener);
                            } catch (ListenerNotFoundException e) {
                                // Already gone.
                            }
                        });
            }
        }
        startCpuNanos = OS.getProcessCpuTime();
        startNanos = System.nanoTime();
    }

    static Meter start() {
        return new Meter();
    }

    /** Stops measuring: the wall and CPU time since {@link #start()} and the peak live heap. */
    Cost stop() {
        long wall = System.nanoTime() - startNanos;
        long cpu = OS.getProcessCpuTime() - startCpuNanos;
        unsubscribe.forEach(Runnable::run);
        return new Cost(wall / 1e9, cpu / 1e9, peakAfterGc.get());
    }

    /** Stops measuring a run whose figures do not count (a warm-up cut short). */
    void discard() {
        unsubscribe.forEach(Runnable::run);
    }
}
