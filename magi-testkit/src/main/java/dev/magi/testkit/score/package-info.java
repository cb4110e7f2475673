/**
 * The complexity-scorer plugins' contract kit: {@link dev.magi.testkit.score.ComplexityScorerContract}
 * is the suite every scorer passes, MAGI's built-in {@code keywords} scorer through its test and a third
 * party's by extending it. It checks what the gateway relies on, through the plugin API alone, and
 * leaves what a question deserves to each scorer's own tests.
 *
 * <p><b>Test API.</b> A scorer plugin's test extends {@link
 * dev.magi.testkit.score.ComplexityScorerContract}.
 */
package dev.magi.testkit.score;
