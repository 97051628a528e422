package io.hyperstar.api;

import io.hyperstar.events.ModelPublished;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Read API over the models the meta-learner announced. */
@Path("/models")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "models")
public class ModelResource {

    /**
     * @param newest whether it is the newest announcement, the one recommenders rank with once its files check out (until
     *               the first announcement they rank with the model bundled in their image)
     */
    public record ModelView(String version, String uri, String sha256, String configSpaceFingerprint, int tasks,
                            int records, double validationAp10, Instant publishedAt, boolean newest) {
    }

    @Inject
    ModelAnnouncements announcements;

    @GET
    @Operation(summary = "Models the meta-learner announced, newest first, with what each was trained on and the held-out AP@10 that admitted it")
    public List<ModelView> list() {
        List<ModelView> out = new ArrayList<>();
        for (ModelPublished m : announcements.newestFirst()) {
            out.add(new ModelView(m.getVersion(), m.getUri(), m.getSha256(), m.getConfigSpaceFingerprint(), m.getTasks(),
                    m.getRecords(), m.getValidationAp10(), m.getPublishedAtMs(), out.isEmpty()));
        }
        return out;
    }
}
