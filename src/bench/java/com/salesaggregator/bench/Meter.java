package com.salesaggregator.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Wall time, CPU time and peak heap of one measured run. Everything runs in one JVM (broker,
 * contender, driver), so CPU and heap are the whole process's: the broker's share is in every
 * contender's figure alike.
 */
final class Meter {

    /** What one run cost. */
    record Cost(double seconds, double cpuSeconds, long peakHeapBytes) {}

    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();

    private final long startNanos;
    private final long startCpuNanos;
    private final AtomicLong peakHeap = new AtomicLong();
    private final Thread sampler;
    private volatile boolean running = true;

    private Meter() {
        // A collection first, so that each run starts from the live heap, not its predecessor's
        // garbage.
        System.gc();
        sampler =
                Thread.ofPlatform()
                        .daemon()
                        .name("bench-heap-sampler")
                        .unstarted(
                                () -> {
                                    while (running) {
                                        sample();
                                        try {
                                            Thread.sleep(50);
                                        } catch (InterruptedException e) {
                                            return;
                                        }
                                    }
                                });
        sample();
        startCpuNanos = OS.getProcessCpuTime();
        startNanos = System.nanoTime();
        sampler.start();
    }

    static Meter start() {
        return new Meter();
    }

    private void sample() {
        peakHeap.accumulateAndGet(MEMORY.getHeapMemoryUsage().getUsed(), Math::max);
    }

    /** Stops measuring: the wall and CPU time since {@link #start()} and the peak heap seen. */
    Cost stop() {
        long wall = System.nanoTime() - startNanos;
        long cpu = OS.getProcessCpuTime() - startCpuNanos;
        running = false;
        sampler.interrupt();
        sample();
        return new Cost(wall / 1e9, cpu / 1e9, peakHeap.get());
    }
}
