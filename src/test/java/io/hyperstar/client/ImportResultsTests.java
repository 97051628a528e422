package io.hyperstar.client;

import io.hyperstar.events.MetaDatasetRecord;
import io.hyperstar.events.TopicCreator;
import io.hyperstar.events.Topics;
import io.hyperstar.space.ConfigSpace;
import io.hyperstar.testing.LocalKafka;
import io.hyperstar.testing.TopicReader;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Importing past results: every bad row named with its line and nothing sent, or every row on the real topic. */
class ImportResultsTests {

    private static final ConfigSpace SPACE = ConfigSpace.bundled();

    @Test
    void badRowsAreListedWithTheirLinesAndNothingIsImported() {
        ImportResults.Parsed p = ImportResults.parse(List.of(ImportResults.HEADER,
                "past-1,/data/past-1,3,0.71,27",
                "past-1,/data/past-1,90,0.5,27",
                "past-1,/data/past-1,4,71,27",
                "past-1,/data/past-1,five,0.5,27",
                "past-1,,6,0.5,27",
                "past-1,/data/past-1,7,0.5"), SPACE);
        assertThat(p.records()).isEmpty();
        assertThat(p.problems()).containsExactly(
                "line 3: configuration 90 is not in the space (0..89)",
                "line 4: top-1 71.0 is not an accuracy in [0, 1]",
                "line 5: not a number: For input string: \"five\"",
                "line 6: dataset id and URI are required",
                "line 7: expected 5 fields, found 4");
        assertThat(ImportResults.parse(List.of("dataset,uri,config,acc"), SPACE).problems())
                .containsExactly("line 1: header must be " + ImportResults.HEADER);
    }

    @Test
    void everyRowArrivesOnTheMetaDatasetTopicKeyedByDatasetAndConfiguration() throws Exception {
        try (LocalKafka kafka = LocalKafka.start()) {
            Topics topics = new Topics(Topics.Names.withPrefix("import-"));
            TopicCreator.create(kafka.bootstrapServers(), topics, 2, (short) 1);
            ImportResults.Parsed p = ImportResults.parse(List.of(ImportResults.HEADER,
                    "past-1,/data/past-1,3,0.71,27", "past-1,/data/past-1,8,0.64,27", "", "past-2,file:///data/p2,3,0.9,9"),
                    SPACE);
            assertThat(p.problems()).isEmpty();
            ImportResults.send(kafka.bootstrapServers(), topics, p.records());
            List<ConsumerRecord<String, MetaDatasetRecord>> got = TopicReader.records(kafka.bootstrapServers(),
                    topics.metaDataset.name(), topics.metaDataset.valueSerde().deserializer(), 3, Duration.ofSeconds(30));
            assertThat(got).extracting(r -> r.key() + " " + r.value().getTop1() + " " + r.value().getEpochs() + " "
                    + r.value().getDatasetUri() + " " + r.value().getSourceTrialId())
                    .containsExactlyInAnyOrder("past-1/3 0.71 27 /data/past-1 null", "past-1/8 0.64 27 /data/past-1 null",
                            "past-2/3 0.9 9 file:///data/p2 null");
            assertThat(got).allSatisfy(r -> assertThat(r.value().getConfigSpaceFingerprint().toString())
                    .isEqualTo(SPACE.fingerprint()));
        }
    }
}
