/**
 * The built-in tier classifier, {@code size}; others plug in through {@link dev.magi.spi.TierClassifier}.
 *
 * <p><b>Internal.</b> The built-in classifier is chosen by name ({@code MAGI_TIER_CLASSIFIER}, {@code --tier-classifier}), never
 * referred to by type. Its public types are public only so MAGI's own packages and modules can share
 * them; they are not an API and may change in any release.
 */
package dev.magi.core.classify;
