package io.hyperstar.schedule;

import java.time.Duration;

/**
 * Scheduler knobs, as plain data so the topology can be built without Quarkus.
 *
 * @param maxRetries     attempts after the first before a failed trial counts as failed
 * @param trialTimeout   a trial with no answer after this long counts as failed (and is retried)
 * @param rankingTimeout a task-aware experiment waits this long for its ranking, then runs vanilla Hyperband
 * @param checkInterval  how often timeouts are checked (wall-clock)
 */
public record SchedulerSettings(int maxRetries, Duration trialTimeout, Duration rankingTimeout, Duration checkInterval) {

    public static SchedulerSettings defaults() {
        return new SchedulerSettings(2, Duration.ofHours(2), Duration.ofMinutes(5), Duration.ofSeconds(10));
    }
}
