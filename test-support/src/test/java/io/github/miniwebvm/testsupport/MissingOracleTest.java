package io.github.miniwebvm.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.opentest4j.TestAbortedException;

class MissingOracleTest {

    @Test
    void ciIsAnyValueButFalseOrZero() {
        assertThat(MissingOracle.inCi("true")).isTrue();
        assertThat(MissingOracle.inCi("1")).isTrue();
        assertThat(MissingOracle.inCi("yes")).isTrue();
        assertThat(MissingOracle.inCi(null)).isFalse();
        assertThat(MissingOracle.inCi("")).isFalse();
        assertThat(MissingOracle.inCi("false")).isFalse();
        assertThat(MissingOracle.inCi("0")).isFalse();
    }

    @Test
    void requireSkipsOrFailsByTheEnvironment() {
        MissingOracle.require(true, "present");
        if (MissingOracle.inCi()) {
            assertThatThrownBy(() -> MissingOracle.require(false, "frobnicator")).isInstanceOf(AssertionError.class)
                    .hasMessageContaining("frobnicator").hasMessageContaining("in CI");
        } else {
            assertThatThrownBy(() -> MissingOracle.require(false, "frobnicator")).isInstanceOf(TestAbortedException.class)
                    .hasMessage("frobnicator");
        }
    }

    /** The extension is found through META-INF/services: the assumptions of both classes below count as this environment says. */
    @Test
    void assumptionsInTestsAndLifecycleMethodsFailInCi() {
        boolean ci = MissingOracle.inCi();
        EngineTestKit.engine("junit-jupiter")
                .configurationParameter("junit.jupiter.extensions.autodetection.enabled", "true")
                .selectors(selectClass(AbortsInTest.class), selectClass(AbortsInBeforeAll.class))
                .execute()
                .allEvents()
                .assertStatistics(s -> s.failed(ci ? 2 : 0).aborted(ci ? 0 : 2));
    }

    static class AbortsInTest {
        @Test
        void needsATool() {
            assumeTrue(false, "the tool is not installed");
        }
    }

    static class AbortsInBeforeAll {
        @BeforeAll
        static void needsATool() {
            assumeTrue(false, "the tool is not installed");
        }

        @Test
        void neverRuns() {
        }
    }
}
