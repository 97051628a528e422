package io.hyperstar.testing;

import io.hyperstar.events.Topics;
import io.hyperstar.schedule.SchedulerSettings;
import io.hyperstar.schedule.SchedulerTopology;
import io.hyperstar.space.ConfigSpace;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.streams.KafkaStreams;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** The real scheduler topology on a real broker, for tests of the roles around it (not started). */
public final class TestScheduler {

    private TestScheduler() {
    }

    /** Retries as {@link TestEvents#MAX_RETRIES}; a trial times out after 10 min, a ranking after 5 min. */
    public static KafkaStreams create(String bootstrap, Topics topics, String applicationId, Path stateParent)
            throws IOException {
        return new KafkaStreams(SchedulerTopology.build(topics, new SchedulerSettings(TestEvents.MAX_RETRIES,
                Duration.ofMinutes(10), Duration.ofMinutes(5), Duration.ofSeconds(5)), ConfigSpace.bundled(),
                new SimpleMeterRegistry()), SchedulerTopology.streamsConfig(bootstrap, applicationId,
                Files.createTempDirectory(stateParent, "streams").toString()));
    }
}
