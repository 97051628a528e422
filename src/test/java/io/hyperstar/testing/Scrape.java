package io.hyperstar.testing;

import io.hyperstar.ops.MetricsServer;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import static org.assertj.core.api.Assertions.assertThat;

/** What Prometheus would read from a role's metrics server. */
public final class Scrape {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private Scrape() {
    }

    public static String metrics(MetricsServer server) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        return r.body();
    }
}
