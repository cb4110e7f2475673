/** The built-in tier classifier, {@code size}; others plug in through {@link dev.magi.spi.TierClassifier}. */
package dev.magi.core.classify;
