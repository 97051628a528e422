package io.hyperstar.api;

import io.hyperstar.events.CancelRequested;
import io.hyperstar.events.Topics;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Writes the API's cancel requests to the cancel-requested topic, where the scheduler reads them like any producer's:
 * the API does not change a search itself, so a cancel is ordered with the search's other events and survives a
 * restart. The producer is made on the first cancel, since most instances never see one.
 */
@ApplicationScoped
public class CancelRequests {

    @Inject
    Topics topics;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    private KafkaProducer<String, CancelRequested> producer;

    /** Returns once the broker has the request (all in-sync replicas), so a 202 means it will be acted on. */
    public void send(CancelRequested request) throws InterruptedException, ExecutionException, TimeoutException {
        producer().send(new ProducerRecord<>(topics.cancelRequested.name(), request.getExperimentId(), request))
                .get(30, TimeUnit.SECONDS);
    }

    private synchronized KafkaProducer<String, CancelRequested> producer() {
        if (producer == null) {
            Properties p = io.hyperstar.events.KafkaClients.connection(bootstrap);
            p.put(ProducerConfig.ACKS_CONFIG, "all");
            p.put(ProducerConfig.CLIENT_ID_CONFIG, "hyperstar-api-cancel");
            producer = new KafkaProducer<>(p, topics.cancelRequested.keySerde().serializer(),
                    topics.cancelRequested.valueSerde().serializer());
        }
        return producer;
    }

    @PreDestroy
    synchronized void close() {
        if (producer != null) {
            producer.close();
        }
    }
}
