package dev.magi.core.supervision;

import dev.magi.core.supervision.HealthRule.Verdict;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("The health rule of a ready server")
class HealthRuleTest {

    @Test
    @DisplayName("one failed probe changes nothing; the second in a row makes it unhealthy")
    void twoFailuresInARow() {
        HealthRule rule = new HealthRule();

        assertThat(rule.probed(false)).isEqualTo(Verdict.UNCHANGED);
        assertThat(rule.healthy()).isTrue();
        assertThat(rule.probed(false)).isEqualTo(Verdict.TURNED_UNHEALTHY);
        assertThat(rule.healthy()).isFalse();
    }

    @Test
    @DisplayName("a success between two failures keeps it healthy")
    void successInBetween() {
        HealthRule rule = new HealthRule();

        rule.probed(false);
        assertThat(rule.probed(true)).isEqualTo(Verdict.UNCHANGED);
        assertThat(rule.probed(false)).isEqualTo(Verdict.UNCHANGED);
        assertThat(rule.healthy()).isTrue();
    }

    @Test
    @DisplayName("one success makes an unhealthy server healthy again")
    void oneSuccessHeals() {
        HealthRule rule = new HealthRule();
        rule.probed(false);
        rule.probed(false);

        assertThat(rule.probed(true)).isEqualTo(Verdict.TURNED_HEALTHY);
        assertThat(rule.healthy()).isTrue();
        assertThat(rule.probed(true)).isEqualTo(Verdict.UNCHANGED);
    }

    @Test
    @DisplayName("unhealthy for three intervals is hung, said once")
    void hungAfterThreeIntervals() {
        HealthRule rule = new HealthRule();
        rule.probed(false);
        rule.probed(false);

        assertThat(rule.probed(false)).isEqualTo(Verdict.UNCHANGED);
        assertThat(rule.probed(false)).isEqualTo(Verdict.UNCHANGED);
        assertThat(rule.probed(false)).isEqualTo(Verdict.HUNG);
        assertThat(rule.probed(false)).isEqualTo(Verdict.UNCHANGED);
    }

    @Test
    @DisplayName("a recovery starts the count of unhealthy intervals again")
    void recoveryRestartsTheCount() {
        HealthRule rule = new HealthRule();
        rule.probed(false);
        rule.probed(false);
        rule.probed(false);
        rule.probed(false);
        rule.probed(true);

        rule.probed(false);
        assertThat(rule.probed(false)).isEqualTo(Verdict.TURNED_UNHEALTHY);
        assertThat(rule.probed(false)).isEqualTo(Verdict.UNCHANGED);
        assertThat(rule.probed(false)).isEqualTo(Verdict.UNCHANGED);
        assertThat(rule.probed(false)).isEqualTo(Verdict.HUNG);
    }

    @Test
    @DisplayName("a new process starts healthy with no failures counted")
    void resetForANewProcess() {
        HealthRule rule = new HealthRule();
        rule.probed(false);
        rule.probed(false);

        rule.reset();

        assertThat(rule.healthy()).isTrue();
        assertThat(rule.probed(false)).isEqualTo(Verdict.UNCHANGED);
    }
}
