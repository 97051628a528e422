package io.hyperstar.schedule;

import java.time.Duration;

/**
 * Scheduler knobs, as plain data so the topology can be built without Quarkus.
 *
 * @param maxRetries     attempts after the first before a failed trial counts as failed
 * @param trialTimeout   a trial with no answer after this long counts as failed (and is retried)
 * @param rankingTimeout a task-aware experiment waits this long for its ranking, then runs vanilla Hyperband
 * @param checkInterval  how often timeouts are checked, and finished searches due for archiving archived (wall-clock)
 * @param retention      a search finished this long ago is archived (its trials dropped, its result kept); zero keeps
 *                       every search whole for good
 * @param quota          how many searches each tenant may run at once, the rest queued ({@link TenantQuota#NONE}: no limit)
 */
public record SchedulerSettings(int maxRetries, Duration trialTimeout, Duration rankingTimeout, Duration checkInterval,
                                Duration retention, TenantQuota quota) {

    public static final Duration DEFAULT_RETENTION = Duration.ofDays(30);

    public SchedulerSettings {
        if (retention.isNegative()) {
            throw new IllegalArgumentException("retention must be >= 0 (0 keeps every search whole), got " + retention);
        }
        java.util.Objects.requireNonNull(quota, "quota");
    }

    /** The given knobs, with no tenant quota. */
    public SchedulerSettings(int maxRetries, Duration trialTimeout, Duration rankingTimeout, Duration checkInterval,
                             Duration retention) {
        this(maxRetries, trialTimeout, rankingTimeout, checkInterval, retention, TenantQuota.NONE);
    }

    /** The same knobs with another tenant quota. */
    public SchedulerSettings withQuota(TenantQuota q) {
        return new SchedulerSettings(maxRetries, trialTimeout, rankingTimeout, checkInterval, retention, q);
    }

    /** The given knobs, with the default retention. */
    public SchedulerSettings(int maxRetries, Duration trialTimeout, Duration rankingTimeout, Duration checkInterval) {
        this(maxRetries, trialTimeout, rankingTimeout, checkInterval, DEFAULT_RETENTION);
    }

    public static SchedulerSettings defaults() {
        return new SchedulerSettings(2, Duration.ofHours(2), Duration.ofMinutes(5), Duration.ofSeconds(10));
    }
}
