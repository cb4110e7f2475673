/**
 * The tier-classification plugins' contract kit: {@link dev.magi.testkit.classify.TierClassifierContract}
 * is the suite every classifier passes, MAGI's built-in {@code size} classifier through its test and
 * a third party's by extending it. It checks what MAGI relies on, through the plugin API alone, and
 * leaves which tier a model deserves to each classifier's own tests.
 *
 * <p><b>Test API.</b> A classifier plugin's test extends {@link
 * dev.magi.testkit.classify.TierClassifierContract}.
 */
package dev.magi.testkit.classify;
