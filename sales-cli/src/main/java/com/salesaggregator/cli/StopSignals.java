package com.salesaggregator.cli;

import java.util.concurrent.atomic.AtomicInteger;
import sun.misc.Signal;

/**
 * Turns Ctrl-C (SIGINT) and Kubernetes' SIGTERM into an orderly stop: the handler runs instead of
 * the JVM's default shutdown, so the program can flush, close and exit 0.
 */
public final class StopSignals {

    private StopSignals() {}

    /**
     * Runs {@code onStop} when SIGINT or SIGTERM first arrives; a second signal ends the JVM at
     * once, for when an orderly stop hangs.
     */
    public static void onStop(Runnable onStop) {
        AtomicInteger signals = new AtomicInteger();
        for (String name : new String[] {"INT", "TERM"}) {
            Signal.handle(
                    new Signal(name),
                    signal -> {
                        if (signals.incrementAndGet() == 1) {
                            System.err.println(
                                    "\nStopping (SIG" + name + "); send it again to force ...");
                            onStop.run();
                        } else {
                            Runtime.getRuntime().halt(128 + signal.getNumber());
                        }
                    });
        }
    }
}
