package io.hyperstar.api;

import io.hyperstar.schedule.ExperimentQueries;
import io.hyperstar.space.ConfigSpace;
import jakarta.inject.Inject;
import com.fasterxml.jackson.core.JsonProcessingException;
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
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.List;
import java.util.Map;

/**
 * Read API over the scheduler's state: experiments, their brackets, rungs, trials, ranking and best result so far; and
 * the one write, a cancel, which goes to the scheduler as an event.
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

    /** Why and by whom, both optional; they end up in the search's result note. */
    public record CancelBody(String reason, String requestedBy) {
    }

    @GET
    @Operation(summary = "Experiments this scheduler instance runs or ran, without their trials")
    public List<ExperimentView> list(@QueryParam("limit") @DefaultValue("100") int limit) {
        return queries.all(Math.max(1, Math.min(limit, 10_000))).stream().map(ExperimentView::summary).toList();
    }

    @GET
    @Path("/{id}")
    @Operation(summary = "One experiment with its brackets, rungs, trials and best result so far")
    public ExperimentView get(@PathParam("id") String id) {
        return queries.find(id).map(e -> ExperimentView.of(e, true))
                .orElseThrow(() -> new NotFoundException("no experiment " + id));
    }

    @GET
    @Path("/{id}/ranking")
    @Operation(summary = "The ranking a task-aware experiment started from, best first, with what the search measured of each configuration")
    public RankingView ranking(@PathParam("id") String id) {
        var e = queries.find(id).orElseThrow(() -> new NotFoundException("no experiment " + id));
        return RankingView.of(e, space).orElseThrow(() -> new NotFoundException("experiment " + id + " (" + e.spec.strategy()
                + ", " + e.phase + ") has no ranking" + (e.note.isEmpty() ? "" : ": " + e.note)));
    }

    @POST
    @Path("/{id}/cancel")
    @Consumes(MediaType.WILDCARD)
    @Operation(summary = "Stop a search now: nothing more is requested, trials in flight are abandoned, and the experiment "
            + "ends with what it found so far (202: the scheduler has the request; 409: it already ended)")
    public Response cancel(@PathParam("id") String id, String body) throws Exception {
        // The body is optional (a bare `curl -X POST` cancels), so it is read here rather than by content type.
        CancelBody b;
        try {
            b = body == null || body.isBlank() ? new CancelBody(null, null) : json.readValue(body, CancelBody.class);
        } catch (JsonProcessingException bad) {
            return Response.status(400).entity(Map.of("error", "the body must be {\"reason\": ..., \"requestedBy\": ...}: "
                    + bad.getOriginalMessage())).type(MediaType.APPLICATION_JSON).build();
        }
        Experiment e = queries.find(id).orElseThrow(() -> new NotFoundException("no experiment " + id));
        if (e.phase == Experiment.Phase.DONE) {
            return Response.status(409).entity(Map.of("error", "experiment " + id + " already ended (" + e.outcome.reason() + ")"))
                    .type(MediaType.APPLICATION_JSON).build();
        }
        cancels.send(CancelRequested.newBuilder().setExperimentId(id)
                .setReason(b.reason() == null ? "" : b.reason()).setRequestedBy(b.requestedBy() == null ? "" : b.requestedBy()).build());
        return Response.accepted(Map.of("experimentId", id, "status", "cancel requested")).type(MediaType.APPLICATION_JSON).build();
    }

    /** A 404 says what was not found, as JSON like every other answer. */
    @Provider
    public static class NotFoundMapper implements ExceptionMapper<NotFoundException> {
        @Override
        public Response toResponse(NotFoundException e) {
            return Response.status(404).entity(Map.of("error", e.getMessage())).type(MediaType.APPLICATION_JSON).build();
        }
    }

    /** The store is briefly unavailable while the scheduler starts or rebalances: say so, don't 500. */
    @Provider
    public static class NotReadyMapper implements ExceptionMapper<ExperimentQueries.NotReady> {
        @Override
        public Response toResponse(ExperimentQueries.NotReady e) {
            return Response.status(503).entity(Map.of("error", e.getMessage())).type(MediaType.APPLICATION_JSON).build();
        }
    }
}
