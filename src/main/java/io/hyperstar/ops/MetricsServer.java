package io.hyperstar.ops;

import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * Prometheus metrics of a command-line role (the worker, the recommender), which has no Quarkus to serve them: a small
 * HTTP server answering {@code GET /metrics} in Prometheus's text format, every meter tagged with the role. The
 * service itself serves its metrics at {@code /q/metrics}.
 */
public final class MetricsServer implements AutoCloseable {

    private final PrometheusMeterRegistry registry;
    private final HttpServer server;
    private final JvmGcMetrics gc;

    private MetricsServer(PrometheusMeterRegistry registry, HttpServer server, JvmGcMetrics gc) {
        this.registry = registry;
        this.server = server;
        this.gc = gc;
    }

    /** Serves the role's metrics at {@code host:port} (port 0: any free one); the JVM's own metrics are included. */
    public static MetricsServer start(String host, int port, String role) throws IOException {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        registry.config().commonTags("role", role);
        new JvmMemoryMetrics().bindTo(registry);
        JvmGcMetrics gc = new JvmGcMetrics();
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 0);
        server.createContext("/", exchange -> {
            try (exchange) {
                boolean metrics = exchange.getRequestURI().getPath().equals("/metrics");
                byte[] body = (metrics ? registry.scrape() : "only /metrics here\n").getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", metrics ? "text/plain; version=0.0.4; charset=utf-8" : "text/plain");
                exchange.sendResponseHeaders(metrics ? 200 : 404, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
        });
        server.start();
        return new MetricsServer(registry, server, gc);
    }

    /**
     * The server an option asks for: {@code host:port}, or none when the option is absent (null). A command-line role
     * takes {@code --metrics 0.0.0.0:9464} in a pod, where Prometheus scrapes it.
     */
    public static MetricsServer fromOption(String hostPort, String role) throws IOException {
        if (hostPort == null) {
            return null;
        }
        int colon = hostPort.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("--metrics takes host:port, for example 0.0.0.0:9464; got " + hostPort);
        }
        return start(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)), role);
    }

    public MeterRegistry registry() {
        return registry;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
        gc.close();
        registry.close();
    }
}
