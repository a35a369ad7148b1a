package com.salesaggregator.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.salesaggregator.dashboard.DashboardMetrics;
import com.salesaggregator.metrics.JobMetrics;
import com.salesaggregator.seeder.SeederMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The chart's Grafana dashboard ({@code files/grafana-dashboard.json}) against what is exported:
 * the metric names its queries use, and the names the job, the seeder, the dashboard and Flink
 * itself export to Prometheus.
 */
public final class GrafanaDashboard {

    /** The job's own metrics, as the Prometheus reporter names them. */
    public static final List<String> JOB_METRICS =
            List.of(
                    JobMetrics.PROMETHEUS_RECORDS_OUT,
                    JobMetrics.PROMETHEUS_DEAD_LETTERS,
                    JobMetrics.PROMETHEUS_LATE_LINES,
                    JobMetrics.PROMETHEUS_EVENT_TIME_LAG);

    /**
     * Flink's own job metrics the dashboard uses (Flink's metric reference), as the Prometheus
     * reporter names them; {@code DashboardFlinkITCase} finds each in a real scrape.
     */
    public static final List<String> FLINK_METRICS =
            List.of(
                    "flink_jobmanager_job_numberOfCompletedCheckpoints",
                    "flink_jobmanager_job_numberOfFailedCheckpoints",
                    "flink_jobmanager_job_lastCheckpointDuration",
                    "flink_jobmanager_job_numRestarts");

    private static final Pattern METRIC = Pattern.compile("\\b(?:flink|seeder|dashboard)_\\w+");

    private GrafanaDashboard() {}

    /** Every metric name the panels' queries use, in order of appearance, without repeats. */
    public static List<String> metrics(JsonNode dashboard) {
        Set<String> seen = new java.util.LinkedHashSet<>();
        for (JsonNode panel : dashboard.path("panels")) {
            for (JsonNode target : panel.path("targets")) {
                Matcher m = METRIC.matcher(target.path("expr").asText());
                while (m.find()) {
                    seen.add(m.group());
                }
            }
        }
        return new ArrayList<>(seen);
    }

    /**
     * Every name exported: the job's and Flink's (above) and the registries of seeder and
     * dashboard.
     */
    public static Set<String> exported() {
        Set<String> names = new TreeSet<>(JOB_METRICS);
        names.addAll(FLINK_METRICS);
        names.addAll(names(new SeederMetrics().registry()));
        names.addAll(names(new DashboardMetrics().registry()));
        return names;
    }

    /** The names a registry exposes in the text format (counters with their _total suffix). */
    public static Set<String> names(PrometheusRegistry registry) {
        Set<String> names = new TreeSet<>();
        for (MetricSnapshot snapshot : registry.scrape()) {
            String name = snapshot.getMetadata().getPrometheusName();
            names.add(snapshot instanceof CounterSnapshot ? name + "_total" : name);
        }
        return names;
    }
}
