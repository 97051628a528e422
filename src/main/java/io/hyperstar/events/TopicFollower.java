package io.hyperstar.events;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Follows one topic from its beginning on a thread of its own, without a consumer group, handing each polled batch to
 * a handler: how the read API lists the announced models, recommenders watch for new models and workers learn which
 * searches were cancelled. The topic may not exist yet (the service creates it); {@link #close()} stops the thread.
 */
public final class TopicFollower implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(TopicFollower.class);

    private final String topic;
    private final Consumer<List<ConsumerRecord<byte[], byte[]>>> handler;
    /** What stopping means for the owner, for the log line when the thread stops on an error. */
    private final Supplier<String> ifStopped;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread thread;
    private List<TopicPartition> caughtUp = List.of();

    public TopicFollower(String bootstrap, String topic, String threadName,
                         Consumer<List<ConsumerRecord<byte[], byte[]>>> handler, Supplier<String> ifStopped) {
        this.topic = topic;
        this.handler = handler;
        this.ifStopped = ifStopped;
        this.consumer = TopicScan.consumer(bootstrap);
        this.thread = new Thread(this::run, threadName);
        thread.setDaemon(true);
    }

    /** Follows the topic from now on, in the background. */
    public TopicFollower start() {
        thread.start();
        return this;
    }

    /**
     * Hands what the topic holds now to the handler on the caller's thread (for up to {@code timeout}, and only if the
     * topic exists by then), then follows the rest in the background: for an owner that must know the topic before it acts.
     */
    public TopicFollower startCaughtUp(Duration timeout) {
        caughtUp = TopicScan.fromBeginning(consumer, topic, timeout);
        TopicScan.readToEnd(consumer, caughtUp, timeout, rec -> handler.accept(List.of(rec)));
        return start();
    }

    private void run() {
        try {
            List<TopicPartition> parts = caughtUp.isEmpty()
                    ? TopicScan.fromBeginningOnceItExists(consumer, topic, running::get) : caughtUp;
            LOG.debugf("following %s (%d partitions)", topic, parts.size());
            while (running.get()) {
                List<ConsumerRecord<byte[], byte[]>> batch = new ArrayList<>();
                consumer.poll(Duration.ofMillis(500)).forEach(batch::add);
                if (!batch.isEmpty()) {
                    handler.accept(batch);
                }
            }
        } catch (WakeupException e) {
            if (running.get()) {
                LOG.errorf(e, "stopped following %s; %s", topic, ifStopped.get());
            }
        } catch (RuntimeException e) {
            LOG.errorf(e, "stopped following %s; %s", topic, ifStopped.get());
        } finally {
            consumer.close();
        }
    }

    @Override
    public void close() {
        running.set(false);
        if (thread.getState() == Thread.State.NEW) {
            consumer.close();
            return;
        }
        consumer.wakeup();
        try {
            thread.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
