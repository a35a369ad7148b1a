package com.salesaggregator.local;

/**
 * Something the local platform runs against its broker once the topics exist: the seam where the
 * aggregation job and the live dashboard plug into {@code make run}.
 */
public interface LocalComponent extends AutoCloseable {

    /** A short name for the startup log, e.g. "aggregation job". */
    String name();

    /**
     * Starts the component against the broker; returns once it is running.
     *
     * @param bootstrapServers the local broker
     * @return one line for the user: where to look (a URL, a topic), shown after startup
     */
    String start(String bootstrapServers) throws Exception;

    /** Stops the component; must return within a few seconds. */
    @Override
    void close() throws Exception;
}
