package io.hyperstar.api;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.apache.kafka.streams.state.HostInfo;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Asks another scheduler instance's API what only it holds. Every instance serves every experiment: a request for one
 * held elsewhere is passed on to its holder, marked {@value #FORWARDED} so the holder answers from its own state and
 * never passes it on again (the partition may move while the request travels).
 */
@ApplicationScoped
public class Peers {

    private static final Logger LOG = Logger.getLogger(Peers.class);
    /** Query parameter of a request passed on by another instance: answer from this instance's state only. */
    public static final String FORWARDED = "forwarded";

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

    /** The holder's answer, status and JSON body as they are; a 503 with the reason when it cannot be reached. */
    public Response call(HostInfo peer, String method, String pathAndQuery, String body) {
        String sep = pathAndQuery.contains("?") ? "&" : "?";
        URI uri = URI.create("http://" + peer.host() + ":" + peer.port() + pathAndQuery + sep + FORWARDED + "=true");
        HttpRequest.Builder req = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10));
        req = body == null ? req.method(method, HttpRequest.BodyPublishers.noBody())
                : req.header("Content-Type", MediaType.APPLICATION_JSON).method(method, HttpRequest.BodyPublishers.ofString(body));
        try {
            HttpResponse<String> answer = http.send(req.build(), HttpResponse.BodyHandlers.ofString());
            return Response.status(answer.statusCode()).entity(answer.body()).type(MediaType.APPLICATION_JSON).build();
        } catch (IOException e) {
            LOG.warnf("instance %s:%d did not answer %s %s: %s", peer.host(), peer.port(), method, pathAndQuery, e.toString());
            return ApiError.of(503, "the instance holding it (" + peer.host() + ":" + peer.port()
                    + ") did not answer: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ApiError.of(503, "interrupted");
        }
    }
}
