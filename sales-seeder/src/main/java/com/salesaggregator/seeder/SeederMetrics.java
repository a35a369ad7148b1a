package com.salesaggregator.seeder;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/** The seeder's Prometheus metrics, in a registry of their own. */
public final class SeederMetrics {

    private final PrometheusRegistry registry = new PrometheusRegistry();

    /** Data records (sales, catalog, rates) acknowledged by Kafka, per topic. */
    final Counter recordsSent =
            Counter.builder()
                    .name("seeder_records_sent_total")
                    .help(
                            "Data records (sales, catalog, rates; not heartbeats) acknowledged by"
                                    + " Kafka")
                    .labelNames("topic")
                    .register(registry);

    /** Reference heartbeats acknowledged by Kafka, per topic (one per partition a beat). */
    final Counter heartbeatsSent =
            Counter.builder()
                    .name("seeder_heartbeats_sent_total")
                    .help("Reference heartbeats acknowledged by Kafka (one per partition a beat)")
                    .labelNames("topic")
                    .register(registry);

    /** Sale lines acknowledged by Kafka. */
    final Counter saleLinesSent =
            Counter.builder()
                    .name("seeder_sale_lines_sent_total")
                    .help("Sale lines in acknowledged orders and receipts")
                    .register(registry);

    /** Sales published with a planned defect, planned to be late, or resent. */
    final Counter plannedSales =
            Counter.builder()
                    .name("seeder_planned_sales_total")
                    .help(
                            "Sales published with a planned defect (malformed), planned to be late,"
                                    + " or resent")
                    .labelNames("plan")
                    .register(registry);

    /** Records Kafka did not acknowledge. */
    final Counter sendErrors =
            Counter.builder()
                    .name("seeder_send_errors_total")
                    .help("Records Kafka did not acknowledge")
                    .register(registry);

    /** The configured sales rate (0 in bulk mode). */
    final Gauge targetRate =
            Gauge.builder()
                    .name("seeder_target_rate")
                    .help("Configured sales per second (0 = bulk, unpaced)")
                    .register(registry);

    public PrometheusRegistry registry() {
        return registry;
    }
}
