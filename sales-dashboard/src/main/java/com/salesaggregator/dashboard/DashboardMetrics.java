package com.salesaggregator.dashboard;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/** The dashboard's Prometheus metrics, in a registry of their own. */
public final class DashboardMetrics {

    /** Names, for the Grafana dashboard and its test. */
    public static final String RECORDS_CONSUMED = "dashboard_records_consumed_total";

    private static final String SSE_CLIENTS = "dashboard_sse_clients";
    private static final String SNAPSHOTS_PUSHED = "dashboard_snapshots_pushed_total";
    private static final String FLINK_REST_ERRORS = "dashboard_flink_rest_errors_total";
    public static final String CAUGHT_UP = "dashboard_caught_up";

    private final PrometheusRegistry registry = new PrometheusRegistry();

    private final Counter recordsConsumed =
            Counter.builder()
                    .name(RECORDS_CONSUMED)
                    .help("Committed output records read, per output topic (default name)")
                    .labelNames("topic")
                    .register(registry);

    private final Gauge sseClients =
            Gauge.builder()
                    .name(SSE_CLIENTS)
                    .help("Browsers connected to the live stream")
                    .register(registry);

    private final Counter snapshotsPushed =
            Counter.builder()
                    .name(SNAPSHOTS_PUSHED)
                    .help("Snapshots sent to connected browsers")
                    .register(registry);

    private final Counter flinkRestErrors =
            Counter.builder()
                    .name(FLINK_REST_ERRORS)
                    .help("Failed requests to the Flink REST API")
                    .register(registry);

    private final Gauge caughtUp =
            Gauge.builder()
                    .name(CAUGHT_UP)
                    .help("1 once everything committed before the start has been read")
                    .register(registry);

    public PrometheusRegistry registry() {
        return registry;
    }

    void recordConsumed(String topic) {
        recordsConsumed.labelValues(topic).inc();
    }

    void sseClients(int count) {
        sseClients.set(count);
    }

    void snapshotsPushed(int count) {
        snapshotsPushed.inc(count);
    }

    void flinkRestError() {
        flinkRestErrors.inc();
    }

    void caughtUp(boolean value) {
        caughtUp.set(value ? 1 : 0);
    }
}
