package io.hyperstar.schedule;

import io.hyperstar.hyperband.Experiment;
import io.hyperstar.hyperband.ExperimentMachine;
import io.hyperstar.hyperband.Strategy;
import io.hyperstar.hyperband.TuningSpec;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The list's order and its page positions: a page that ends with a search goes on with exactly what follows it. */
class ListPositionTests {

    @Test
    void whatFollowsAPositionIsExactlyTheRestOfTheListInItsOrder() {
        List<Experiment> list = new ArrayList<>(List.of(at(30, "b"), at(10, "z"), at(30, "a"), at(20, "m"), at(30, "c")));
        list.sort(ExperimentQueries.NEWEST_FIRST);
        assertThat(list).extracting(e -> e.createdAtMs + e.experimentId).containsExactly("30c", "30b", "30a", "20m", "10z");
        for (int i = 0; i < list.size(); i++) {
            ExperimentQueries.Position p = ExperimentQueries.Position.parse(ExperimentQueries.Position.of(list.get(i)).toString());
            assertThat(list.stream().filter(p::precedes).toList()).isEqualTo(list.subList(i + 1, list.size()));
        }
    }

    @Test
    void aPositionIsParsedFromWhatTheHeaderSaysAndNothingElse() {
        assertThat(ExperimentQueries.Position.parse("1796000000000/exp/with/slashes"))
                .isEqualTo(new ExperimentQueries.Position(1796000000000L, "exp/with/slashes"));
        for (String bad : List.of("yesterday", "/x", "12/", "x/12")) {
            assertThatThrownBy(() -> ExperimentQueries.Position.parse(bad)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("<createdAtMs>/<experimentId>");
        }
    }

    private static Experiment at(long createdAtMs, String id) {
        return ExperimentMachine.create(id, "ds", new TuningSpec(Strategy.HYPERBAND, 9, 3, 0, 1, 0, 0), 10, createdAtMs);
    }
}
