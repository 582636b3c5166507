package io.github.miniwebvm.fs;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class PathNamesTest {
    @Test
    void cleanKeepsDotDotAtTheTopAtTheTop() {
        assertThat(PathNames.clean("/a/./b//../c")).isEqualTo(List.of("a", "c"));
        assertThat(PathNames.clean("../../etc")).isEqualTo(List.of("etc"));
    }

    @Test
    void insideRefusesClimbingAboveTheStart() {
        assertThat(PathNames.inside("a/../b")).isEqualTo(List.of("b"));
        assertThat(PathNames.inside("a/../../b")).isNull();
    }

    @Test
    void normaliseKeepsEachClimbAsALeadingDotDot() {
        assertThat(PathNames.normalise("./a//b/../c/")).isEqualTo("a/c");
        assertThat(PathNames.normalise("/abs/name")).isEqualTo("abs/name");
        assertThat(PathNames.normalise("a/../../x")).isEqualTo("../x");
        assertThat(PathNames.normalise("../../x/..")).isEqualTo("../../");
        assertThat(PathNames.normalise(".")).isEmpty();
    }
}
