package com.salesaggregator.cli;

import sun.misc.Signal;

/**
 * Turns Ctrl-C (SIGINT) and Kubernetes' SIGTERM into an orderly stop: the handler runs instead of
 * the JVM's default shutdown, so the program can flush, close and exit 0.
 */
public final class StopSignals {

    private StopSignals() {}

    /** Runs {@code onStop} (once per signal) when SIGINT or SIGTERM arrives. */
    public static void onStop(Runnable onStop) {
        for (String name : new String[] {"INT", "TERM"}) {
            Signal.handle(new Signal(name), signal -> onStop.run());
        }
    }
}
