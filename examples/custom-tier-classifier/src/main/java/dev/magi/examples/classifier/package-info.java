/**
 * A tier-classifier plugin: {@link dev.magi.examples.classifier.CoderTierClassifier}, listed in
 * {@code META-INF/services/dev.magi.spi.TierClassifier} so that MAGI finds it on its class path or in
 * a jar of its plugins directory, and uses it when {@code --tier-classifier coder} names it.
 */
package dev.magi.examples.classifier;
