package io.hyperstar.api;

import io.hyperstar.schedule.ExperimentQueries;
import io.hyperstar.space.ConfigSpace;
import jakarta.inject.Inject;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hyperstar.events.CancelRequested;
import io.hyperstar.hyperband.Experiment;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import org.apache.kafka.streams.state.HostInfo;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.jboss.logging.Logger;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Read API over the scheduler's state: experiments, their brackets, rungs, trials, ranking and best result so far; and
 * the one write, a cancel, which goes to the scheduler as an event. Any instance answers for every experiment: it asks
 * the instance that holds one ({@link Peers}), and the list gathers every instance's.
 */
@Path("/experiments")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "experiments")
public class ExperimentResource {

    @Inject
    ExperimentQueries queries;

    @Inject
    ConfigSpace space;

    @Inject
    CancelRequests cancels;

    @Inject
    ObjectMapper json;

    @Inject
    Peers peers;

    private static final Logger LOG = Logger.getLogger(ExperimentResource.class);

    /** Why and by whom, both optional; they end up in the search's result note. */
    public record CancelBody(String reason, String requestedBy) {
    }

    @GET
    @Operation(summary = "Experiments run or running, on every scheduler instance, without their trials, newest first "
            + "(by when the scheduler registered them, then by id, last first), a page of at most limit (100; 10,000 at "
            + "most); a full page's X-HyperSTAR-Next header is the after of the next page; "
            + "optionally only a tenant's, a dataset's or those in one phase (QUEUED, WAITING_FOR_RANKING, RUNNING, DONE)")
    @APIResponse(responseCode = "200", content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(type = SchemaType.ARRAY, implementation = ExperimentView.class)),
            headers = {
                @Header(name = NEXT, description = "On a full page: the after of the next page (<createdAtMs>/<experimentId>)",
                        schema = @Schema(type = SchemaType.STRING)),
                @Header(name = "X-HyperSTAR-Missing-Instances", description = "Scheduler instances that did not answer: "
                        + "their experiments are not in this list", schema = @Schema(type = SchemaType.STRING))})
    @APIResponse(responseCode = "400", description = "An unknown phase, or an after that is not <createdAtMs>/<experimentId>")
    public Response list(@QueryParam("limit") @DefaultValue("100") int limit, @QueryParam("tenant") String tenant,
                         @QueryParam("dataset") String dataset, @QueryParam("phase") String phase,
                         @QueryParam("after") String after,
                         @QueryParam(Peers.FORWARDED) @DefaultValue("false") boolean forwarded) throws Exception {
        int n = Math.max(1, Math.min(limit, 10_000));
        if (phase != null && Arrays.stream(Experiment.Phase.values()).noneMatch(p -> p.name().equals(phase))) {
            return ApiError.of(400, "phase " + phase + " is not one of "
                    + Arrays.toString(Experiment.Phase.values()));
        }
        ExperimentQueries.Position from;
        try {
            from = after == null ? null : ExperimentQueries.Position.parse(after);
        } catch (IllegalArgumentException e) {
            return ApiError.of(400, e.getMessage());
        }
        List<JsonNode> all = new ArrayList<>();
        queries.newest(n, e -> (tenant == null || tenant.equals(e.tenant)) && (dataset == null || dataset.equals(e.datasetId))
                && (phase == null || phase.equals(e.phase.name())), from).forEach(e -> all.add(json.valueToTree(ExperimentView.summary(e))));
        String filters = (tenant == null ? "" : "&tenant=" + encode(tenant)) + (dataset == null ? "" : "&dataset=" + encode(dataset))
                + (phase == null ? "" : "&phase=" + phase) + (after == null ? "" : "&after=" + encode(after));
        List<String> missing = new ArrayList<>();
        if (!forwarded) {
            for (HostInfo peer : queries.otherInstances()) {
                Response theirs = peers.call(peer, "GET", "/experiments?limit=" + n + filters, null);
                if (theirs.getStatus() == 200) {
                    json.readTree((String) theirs.getEntity()).forEach(all::add);
                } else {
                    // A list without one instance's experiments beats no list: it says so in the log and in a header.
                    LOG.warnf("experiments of %s:%d left out of the list: %s", peer.host(), peer.port(), theirs.getEntity());
                    missing.add(peer.host() + ":" + peer.port());
                }
            }
        }
        List<JsonNode> page = merged(all, n);
        Response.ResponseBuilder ok = Response.ok(page);
        if (page.size() == n) {
            // A full page may have more behind it: where the next one starts.
            ok.header(NEXT, position(page.get(n - 1)));
        }
        return missing.isEmpty() ? ok.build() : ok.header("X-HyperSTAR-Missing-Instances", String.join(",", missing)).build();
    }

    /** Header of a full page: the {@code after} of the next page. */
    public static final String NEXT = "X-HyperSTAR-Next";

    /** Each instance's newest, merged in the order each instance listed them by. */
    private static List<JsonNode> merged(List<JsonNode> all, int limit) {
        return all.stream().sorted(Comparator.comparing(ExperimentResource::position, ExperimentQueries.Position.ORDER))
                .limit(limit).toList();
    }

    private static ExperimentQueries.Position position(JsonNode view) {
        return new ExperimentQueries.Position(view.get("createdAtMs").asLong(), view.get("experimentId").asText());
    }

    @GET
    @Path("/{id}")
    @Operation(summary = "One experiment with its brackets, rungs, trials and best result so far")
    @APIResponse(responseCode = "200", content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = ExperimentView.class)))
    public Response get(@PathParam("id") String id, @QueryParam(Peers.FORWARDED) @DefaultValue("false") boolean forwarded) {
        return atHolder(id, forwarded, "GET", "", null, () -> Response.ok(queries.find(id).map(e -> ExperimentView.of(e, true))
                .orElseThrow(() -> new NotFoundException("no experiment " + id))).build());
    }

    @GET
    @Path("/{id}/ranking")
    @Operation(summary = "The ranking a task-aware experiment started from, best first, with what the search measured of each configuration")
    @APIResponse(responseCode = "200", content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = RankingView.class)))
    public Response ranking(@PathParam("id") String id, @QueryParam(Peers.FORWARDED) @DefaultValue("false") boolean forwarded) {
        return atHolder(id, forwarded, "GET", "/ranking", null, () -> {
            var e = queries.find(id).orElseThrow(() -> new NotFoundException("no experiment " + id));
            return Response.ok(RankingView.of(e, space).orElseThrow(() -> new NotFoundException("experiment " + id + " ("
                    + e.spec.strategy() + ", " + e.phase + ") has no ranking" + (e.note.isEmpty() ? "" : ": " + e.note)))).build();
        });
    }

    @POST
    @Path("/{id}/cancel")
    @Consumes(MediaType.WILDCARD)
    @Operation(summary = "Stop a search now: nothing more is requested, trials in flight are abandoned, and the experiment "
            + "ends with what it found so far (202: the scheduler has the request; 409: it already ended)")
    public Response cancel(@PathParam("id") String id, @QueryParam(Peers.FORWARDED) @DefaultValue("false") boolean forwarded,
                           @RequestBody(required = false, description = "optional: why, and who asks", content = @Content(
                                   mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = CancelBody.class)))
                           String body) {
        // The body is optional (a bare `curl -X POST` cancels), so it is read here rather than by content type.
        CancelBody b;
        try {
            b = body == null || body.isBlank() ? new CancelBody(null, null) : json.readValue(body, CancelBody.class);
        } catch (JsonProcessingException bad) {
            return ApiError.of(400, "the body must be {\"reason\": ..., \"requestedBy\": ...}: "
                    + bad.getOriginalMessage());
        }
        // Passed on like a read: only the holder knows whether the search has already ended.
        return atHolder(id, forwarded, "POST", "/cancel", body, () -> {
            Experiment e = queries.find(id).orElseThrow(() -> new NotFoundException("no experiment " + id));
            if (e.phase == Experiment.Phase.DONE) {
                return ApiError.of(409, "experiment " + id + " already ended (" + e.outcome.reason() + ")");
            }
            try {
                cancels.send(CancelRequested.newBuilder().setExperimentId(id).setReason(b.reason() == null ? "" : b.reason())
                        .setRequestedBy(b.requestedBy() == null ? "" : b.requestedBy()).build());
            } catch (Exception notSent) {
                return ApiError.of(503, "the cancel could not be written to its topic: " + notSent);
            }
            return Response.accepted(Map.of("experimentId", id, "status", "cancel requested")).type(MediaType.APPLICATION_JSON).build();
        });
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** This instance's answer when it holds the experiment (or was asked by another instance), else the holder's. */
    private Response atHolder(String id, boolean forwarded, String method, String subPath, String body, Supplier<Response> here) {
        if (!forwarded) {
            Optional<HostInfo> holder = queries.heldElsewhere(id);
            if (holder.isPresent()) {
                String path = "/experiments/" + encode(id) + subPath;
                return peers.call(holder.get(), method, path, body);
            }
        }
        return here.get();
    }

    /** A 404 says what was not found, as JSON like every other answer. */
    @Provider
    public static class NotFoundMapper implements ExceptionMapper<NotFoundException> {
        @Override
        public Response toResponse(NotFoundException e) {
            return ApiError.of(404, e.getMessage());
        }
    }

    /** The store is briefly unavailable while the scheduler starts or rebalances: say so, don't 500. */
    @Provider
    public static class NotReadyMapper implements ExceptionMapper<ExperimentQueries.NotReady> {
        @Override
        public Response toResponse(ExperimentQueries.NotReady e) {
            return ApiError.of(503, e.getMessage());
        }
    }
}
