package io.hyperstar.schedule;

import io.hyperstar.config.HyperstarConfig;
import io.hyperstar.events.Topics;
import io.hyperstar.space.ConfigSpace;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.apache.kafka.streams.Topology;

/** Hands the scheduler topology to Quarkus's Kafka Streams extension, with settings from configuration. */
@ApplicationScoped
public class SchedulerTopologyProducer {

    // @Singleton, not @ApplicationScoped: Topics exposes fields, and a client proxy would hide them.
    @Produces
    @Singleton
    Topics topics(HyperstarConfig config) {
        var t = config.topics();
        return new Topics(new Topics.Names(t.datasetRegistered(), t.rankingComputed(), t.trialRequested(),
                t.trialCompleted(), t.experimentCompleted(), t.metaDataset(), t.modelPublished(), t.deadLetter(),
                t.cancelRequested(), t.tenantAdmission(), t.admissionGranted()));
    }

    @Produces
    @Singleton
    ConfigSpace configSpace() {
        return ConfigSpace.bundled();
    }

    @Produces
    Topology topology(Topics topics, HyperstarConfig config, ConfigSpace space, MeterRegistry metrics) {
        var s = config.scheduler();
        return SchedulerTopology.build(topics,
                new SchedulerSettings(s.maxRetries(), s.trialTimeout(), s.rankingTimeout(), s.checkInterval(), s.retention(),
                        new TenantQuota(s.tenantQuota().maxRunning(), s.tenantQuota().perTenant())), space, metrics);
    }
}
