package io.hyperstar.worker;

import io.hyperstar.events.Topics;
import io.hyperstar.events.TransactionalLoop;
import io.hyperstar.events.TrialCompleted;
import io.hyperstar.events.TrialRequested;
import io.hyperstar.events.TrialStatus;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import io.micrometer.core.instrument.MeterRegistry;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.List;

/**
 * The reference trainer fleet member: consumes trial requests, runs each with a {@link TrialRunner} and
 * publishes the answer in the same Kafka transaction as the consumed offset, so every accepted request is
 * answered once. Unreadable requests go to the dead letters; a failing trial is answered FAILED, and so is a trial
 * of a search cancelled while it waited, without training it.
 */
public final class TrialWorker implements Runnable, AutoCloseable {

    private static final Logger LOG = Logger.getLogger(TrialWorker.class);

    private final Topics topics;
    private final TrialRunner runner;
    private final String workerId;
    private final TransactionalLoop loop;
    private final CancelledSearches cancelled;
    private final MeterRegistry metrics;

    public TrialWorker(String bootstrap, Topics topics, TrialRunner runner, String workerId, String groupId, Duration maxTrialTime) {
        this(bootstrap, topics, runner, workerId, groupId, maxTrialTime, null);
    }

    /**
     * With {@code metrics} (null for none): the loop's ({@link TransactionalLoop}), and {@code hyperstar.trials{status}}
     * and {@code hyperstar.trial.epochs}, the answers by status and the epochs trained.
     */
    public TrialWorker(String bootstrap, Topics topics, TrialRunner runner, String workerId, String groupId, Duration maxTrialTime,
                       MeterRegistry metrics) {
        this.topics = topics;
        this.runner = runner;
        this.workerId = workerId;
        this.metrics = metrics;
        this.cancelled = new CancelledSearches(bootstrap, topics);
        this.loop = new TransactionalLoop(bootstrap, topics, topics.trialRequested.name(), groupId,
                "hyperstar-worker-" + workerId, maxTrialTime, "worker", this::answer, metrics);
    }

    private List<ProducerRecord<byte[], byte[]>> answer(ConsumerRecord<byte[], byte[]> rec) {
        TrialRequested request = topics.trialRequested.valueSerde().deserializer().deserialize(rec.topic(), rec.value());
        TrialCompleted answer = cancelled.isCancelled(request.getExperimentId())
                // Still answered, in the same transaction as ever: the scheduler records it as late, and the request is done.
                ? TrialRunner.failed(request, workerId, "not trained: the search was cancelled", 0)
                : run(request);
        if (metrics != null) {
            metrics.counter("hyperstar.trials", "status", answer.getStatus().name()).increment();
            metrics.counter("hyperstar.trial.epochs").increment(answer.getEpochsTrained());
        }
        if (answer.getStatus() == TrialStatus.FAILED) {
            LOG.warnf("trial %s FAILED: %s", request.getTrialId(), answer.getError());
        } else {
            LOG.infof("trial %s: top-1 %.4f after %d epochs (%d ms)", request.getTrialId(), answer.getTop1(),
                    request.getEpochs(), answer.getDurationMs());
        }
        return List.of(new ProducerRecord<>(topics.trialCompleted.name(), rec.key(),
                topics.trialCompleted.valueSerde().serializer().serialize(topics.trialCompleted.name(), answer)));
    }

    private TrialCompleted run(TrialRequested request) {
        long start = System.nanoTime();
        try {
            return runner.run(request, workerId, () -> cancelled.isCancelled(request.getExperimentId()));
        } catch (RuntimeException e) {
            // A runner bug or a resource problem fails this trial, not the worker.
            LOG.errorf(e, "trial %s failed unexpectedly", request.getTrialId());
            return TrialRunner.failed(request, workerId, "worker error: " + e, (System.nanoTime() - start) / 1_000_000);
        }
    }

    @Override
    public void run() {
        cancelled.start(Duration.ofSeconds(5));
        loop.run();
    }

    public long answered() {
        return loop.handled();
    }

    @Override
    public void close() {
        loop.close();
        cancelled.close();
    }
}
