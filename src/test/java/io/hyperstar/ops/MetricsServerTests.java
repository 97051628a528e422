package io.hyperstar.ops;

import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A command-line role's metrics, as Prometheus reads them. */
class MetricsServerTests {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Test
    void servesTheRolesMetricsInPrometheusFormatAtSlashMetricsOnly() throws Exception {
        try (MetricsServer server = MetricsServer.start("127.0.0.1", 0, "recommender")) {
            server.registry().counter("hyperstar.rankings", "outcome", "ranked").increment(2);
            HttpResponse<String> metrics = get(server, "/metrics");
            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(metrics.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/plain; version=0.0.4"));
            assertThat(metrics.body()).contains("hyperstar_rankings_total{outcome=\"ranked\",role=\"recommender\",} 2.0")
                    .contains("jvm_memory_used_bytes{area=\"heap\"").contains("process_uptime_seconds");
            assertThat(get(server, "/").statusCode()).isEqualTo(404);
        }
    }

    @Test
    void theOptionIsHostAndPortOrNothing() throws Exception {
        assertThat(MetricsServer.fromOption(null, "worker")).isNull();
        assertThatThrownBy(() -> MetricsServer.fromOption("9464", "worker")).hasMessageContaining("host:port");
        try (MetricsServer server = MetricsServer.fromOption("127.0.0.1:0", "worker")) {
            assertThat(get(server, "/metrics").body()).contains("role=\"worker\"");
        }
    }

    private static HttpResponse<String> get(MetricsServer server, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
