package io.hyperstar.schedule;

import io.hyperstar.events.Admission;
import io.hyperstar.events.AdmissionKind;
import io.hyperstar.events.Topics;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The tenant-keyed half of the scheduler: a tenant's searches are spread over every partition of the experiments, so
 * its count of running searches can only be kept where all of them meet, on the tenant's partition of
 * tenant-admission. It queues each request, frees a slot on each release, and grants the first queued searches as far
 * as the tenant's limit ({@link TenantQuota}) allows; the experiment-keyed half starts a search on its grant. Exactly
 * once (one Kafka Streams transaction covers the store and the grants), so a slot is never counted twice or lost.
 */
final class TenantAdmissionProcessor implements Processor<byte[], byte[], Object, Object> {

    private static final Logger LOG = Logger.getLogger(TenantAdmissionProcessor.class);

    private final Topics topics;
    private final SchedulerSettings settings;
    private final MeterRegistry metrics;
    private ProcessorContext<Object, Object> context;
    private KeyValueStore<String, TenantSlots> slots;

    TenantAdmissionProcessor(Topics topics, SchedulerSettings settings, MeterRegistry metrics) {
        this.topics = topics;
        this.settings = settings;
        this.metrics = metrics;
    }

    @Override
    public void init(ProcessorContext<Object, Object> context) {
        this.context = context;
        this.slots = context.getStateStore(SchedulerTopology.TENANT_SLOTS_STORE);
        // A limit raised (or removed) in the configuration frees slots that no event of the tenant's would.
        context.schedule(settings.checkInterval(), PunctuationType.WALL_CLOCK_TIME, now -> admitAll());
        metrics.counter("hyperstar.scheduler.searches.admitted");
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        RecordMetadata source = context.recordMetadata().orElseThrow();
        try {
            Admission ev = SchedulerProcessor.decodeValue(topics.tenantAdmission, "tenant-admission", record);
            String key = record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
            if (!ev.getTenant().equals(key)) {
                throw new InvalidEvent("record key " + key + " must equal the tenant " + ev.getTenant());
            }
            TenantSlots s = slots.get(key);
            switch (ev.getKind()) {
                case REQUEST -> {
                    s = s == null ? new TenantSlots() : s;
                    s.request(ev.getExperimentId());
                }
                case RELEASE -> {
                    if (s == null) {
                        return; // every search's end is announced; only the tenants with a limit keep slots
                    }
                    s.release(ev.getExperimentId());
                }
                case GRANTED -> throw new InvalidEvent("a grant belongs on " + topics.admissionGranted.name() + ", not here");
            }
            admit(key, s, ev.getKind() == AdmissionKind.REQUEST ? ev.getExperimentId() : null);
            save(key, s);
        } catch (SerializationException | InvalidEvent e) {
            SchedulerProcessor.deadLetter(context, metrics, record, source, e.getMessage());
        }
    }

    /** The periodic check: only a tenant that something was granted to has changed, so only those are written. */
    private void admitAll() {
        List<KeyValue<String, TenantSlots>> waiting = new ArrayList<>();
        try (KeyValueIterator<String, TenantSlots> it = slots.all()) {
            it.forEachRemaining(kv -> {
                if (!kv.value.queued.isEmpty()) {
                    waiting.add(kv);
                }
            });
        }
        for (KeyValue<String, TenantSlots> kv : waiting) {
            if (admit(kv.key, kv.value, null) > 0) {
                save(kv.key, kv.value);
            }
        }
    }

    /**
     * Grants what the tenant's limit allows and returns how many; {@code askingNow} is the search whose request is being
     * handled, if any (it did not wait).
     */
    private int admit(String tenant, TenantSlots s, String askingNow) {
        int limit = settings.quota().limit(tenant);
        List<String> admitted = s.admit(limit);
        long now = context.currentSystemTimeMs();
        for (String id : admitted) {
            context.forward(new Record<>(id, event(AdmissionKind.GRANTED, tenant, id, !id.equals(askingNow), now), now),
                    SchedulerTopology.ADMISSION_GRANTED_SINK);
        }
        if (!admitted.isEmpty()) {
            metrics.counter("hyperstar.scheduler.searches.admitted").increment(admitted.size());
            LOG.infof("tenant %s: %s admitted (%d running, %d queued, limit %s)", tenant, admitted, s.running.size(),
                    s.queued.size(), limit == 0 ? "none" : limit);
        }
        return admitted.size();
    }

    private void save(String tenant, TenantSlots s) {
        if (s.isEmpty()) {
            slots.delete(tenant);
        } else {
            slots.put(tenant, s);
        }
    }

    /** An event of either half's bookkeeping ({@code waited}: a grant to a search that waited in the queue). */
    static Admission event(AdmissionKind kind, String tenant, String experimentId, boolean waited, long nowMs) {
        return Admission.newBuilder().setKind(kind).setTenant(tenant).setExperimentId(experimentId).setWaited(waited)
                .setAtMs(java.time.Instant.ofEpochMilli(nowMs)).build();
    }
}
