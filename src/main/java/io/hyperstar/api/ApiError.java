package io.hyperstar.api;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.util.Map;

/** Every refusal of the API is JSON with the reason: {@code {"error": "..."}}. */
final class ApiError {

    private ApiError() {
    }

    static Response of(int status, String reason) {
        return Response.status(status).entity(Map.of("error", reason)).type(MediaType.APPLICATION_JSON).build();
    }
}
