package io.hyperstar.api;

import io.hyperstar.schedule.ExperimentQueries;
import io.hyperstar.space.ConfigSpace;
import jakarta.inject.Inject;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
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

/** Read API over the scheduler's state: experiments, their brackets, rungs, trials, ranking and best result so far. */
@Path("/experiments")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "experiments")
public class ExperimentResource {

    @Inject
    ExperimentQueries queries;

    @Inject
    ConfigSpace space;

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
