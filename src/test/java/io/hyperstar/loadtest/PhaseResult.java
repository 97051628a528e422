package io.hyperstar.loadtest;

import java.util.Map;

/**
 * What one topology did under the load.
 *
 * @param events      trial-completed events it processed
 * @param seconds     from the first event produced to the output of the last one consumed
 * @param latencies   produce-to-consume latencies (what is paired is said in {@code latencyPairs})
 * @param diagnostics Kafka Streams and client figures, for explaining the result
 */
record PhaseResult(String topology, long events, double seconds, Latencies latencies, String latencyPairs,
                   Map<String, String> diagnostics) {

    double eventsPerSecond() {
        return events / seconds;
    }
}
