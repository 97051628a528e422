package io.hyperstar.testing;

import io.hyperstar.events.TopicCreator;
import io.hyperstar.events.Topics;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One real broker ({@link LocalKafka}) for a test class, started before its first test with the service's topics
 * created, and stopped after its last: {@code @RegisterExtension static final KafkaBroker kafka =
 * KafkaBroker.withTopics(TOPICS, 2);}, declared after the topics it creates.
 */
public final class KafkaBroker implements BeforeAllCallback, AfterAllCallback {

    private final Topics topics;
    private final int partitions;
    private LocalKafka kafka;

    private KafkaBroker(Topics topics, int partitions) {
        this.topics = topics;
        this.partitions = partitions;
    }

    /** A broker with these topics, each of this many partitions and one replica. */
    public static KafkaBroker withTopics(Topics topics, int partitions) {
        return new KafkaBroker(topics, partitions);
    }

    /** A broker with no topics: the class creates its own, per test. */
    public static KafkaBroker bare() {
        return new KafkaBroker(null, 0);
    }

    public String bootstrapServers() {
        return kafka.bootstrapServers();
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        kafka = LocalKafka.start();
        if (topics != null) {
            TopicCreator.create(kafka.bootstrapServers(), topics, partitions, (short) 1);
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (kafka != null) {
            kafka.close();
        }
    }
}
