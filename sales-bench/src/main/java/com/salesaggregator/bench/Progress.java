package com.salesaggregator.bench;

import java.time.LocalTime;
import java.time.format.DateTimeFormatter;

/** Progress lines on the console while the benchmark runs. */
final class Progress {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");

    private Progress() {}

    static void line(String format, Object... args) {
        System.out.println(
                "[bench " + LocalTime.now().format(TIME) + "] " + String.format(format, args));
        System.out.flush();
    }

    /** Seconds since {@code startNanos} ({@link System#nanoTime()}). */
    static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }
}
