package com.salesaggregator.local;

import com.salesaggregator.dashboard.DashboardConfig;
import com.salesaggregator.dashboard.DashboardServer;

/**
 * The live dashboard against the local broker and the MiniCluster's REST API, on localhost only:
 * the same server the dashboard image runs.
 */
final class DashboardComponent implements LocalComponent {

    private final int port;
    private final int flinkRestPort;
    private DashboardServer server;

    /**
     * @param port the dashboard's port on localhost
     * @param flinkRestPort the port of the Flink web UI and REST API
     */
    DashboardComponent(int port, int flinkRestPort) {
        this.port = port;
        this.flinkRestPort = flinkRestPort;
    }

    @Override
    public String name() {
        return "live dashboard";
    }

    @Override
    public String start(String bootstrapServers) {
        server =
                DashboardServer.start(
                        DashboardConfig.local(
                                bootstrapServers,
                                "localhost",
                                port,
                                "http://localhost:" + flinkRestPort));
        return "Dashboard: " + server.url() + " (four live charts and the pipeline's health)";
    }

    @Override
    public void close() {
        if (server != null) {
            server.close();
        }
    }
}
