package io.hyperstar.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/** All of the service's own settings, under {@code hyperstar.*}; the defaults run on a laptop. */
@ConfigMapping(prefix = "hyperstar")
public interface HyperstarConfig {

    /** Topic names and layout. */
    TopicsConfig topics();

    /** The Hyperband scheduler. */
    SchedulerConfig scheduler();

    interface TopicsConfig {
        /** Registrations of datasets to tune (key: experiment id). */
        @WithDefault("hyperstar-dataset-registered")
        String datasetRegistered();

        /** Rankings from the recommender (key: experiment id). */
        @WithDefault("hyperstar-ranking-computed")
        String rankingComputed();

        /** Trials for the trainer fleet (key: experiment id). */
        @WithDefault("hyperstar-trial-requested")
        String trialRequested();

        /** Answers from the trainer fleet (key: experiment id). */
        @WithDefault("hyperstar-trial-completed")
        String trialCompleted();

        /** Results of finished searches (key: experiment id). */
        @WithDefault("hyperstar-experiment-completed")
        String experimentCompleted();

        /** The meta-dataset, compacted (key: dataset id / configuration id). */
        @WithDefault("hyperstar-meta-dataset")
        String metaDataset();

        /** New predictor models (key: version). */
        @WithDefault("hyperstar-model-published")
        String modelPublished();

        /** Requests to stop a search (key: experiment id). */
        @WithDefault("hyperstar-cancel-requested")
        String cancelRequested();

        /** The scheduler's own: searches asking for and giving back a slot of their tenant's limit (key: tenant). */
        @WithDefault("hyperstar-tenant-admission")
        String tenantAdmission();

        /** The scheduler's own: a queued search may start (key: experiment id). */
        @WithDefault("hyperstar-admission-granted")
        String admissionGranted();

        /** Inputs the service refused, with the reason. */
        @WithDefault("hyperstar-dead-letter")
        String deadLetter();

        /** Partitions of every topic; the experiment-keyed ones must share it to stay co-partitioned. */
        @WithDefault("6")
        int partitions();

        /** Replication factor of topics created at start-up (1 for a single local broker). */
        @WithDefault("1")
        short replicationFactor();

        /** Create missing topics at start-up. */
        @WithDefault("true")
        boolean create();
    }

    interface SchedulerConfig {
        /** Retries of a failed trial before it counts as failed. */
        @WithDefault("2")
        int maxRetries();

        /** A trial with no answer after this long counts as failed and is retried. */
        @WithDefault("2h")
        Duration trialTimeout();

        /** How long a task-aware experiment waits for its ranking before running vanilla Hyperband. */
        @WithDefault("5m")
        Duration rankingTimeout();

        /** How often timeouts are checked (and finished searches due for archiving archived). */
        @WithDefault("10s")
        Duration checkInterval();

        /**
         * A search finished this long ago is archived: its result, request, ranking and best trial are kept, its other
         * trials dropped, so the scheduler's state (and its restore when an instance takes partitions over) does not
         * grow with every search ever run. 0 keeps every search whole.
         */
        @WithDefault("30d")
        Duration retention();

        /** How many searches each tenant may run at once; the rest wait in the tenant's queue, in registration order. */
        TenantQuotaConfig tenantQuota();
    }

    interface TenantQuotaConfig {
        /** Most searches of one tenant running at once (0 = no limit), for every tenant not named in per-tenant. */
        @WithDefault("0")
        int maxRunning();

        /** Limits of named tenants: {@code hyperstar.scheduler.tenant-quota.per-tenant.<tenant>=n} (0 = no limit). */
        java.util.Map<String, Integer> perTenant();
    }
}
