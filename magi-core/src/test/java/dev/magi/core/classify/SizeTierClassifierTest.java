package dev.magi.core.classify;

import dev.magi.spi.TierClassifier;
import dev.magi.testkit.classify.TierClassifierContract;
import org.junit.jupiter.api.DisplayName;

/** The built-in classifier keeps the contract every classifier plugin keeps. */
@DisplayName("The size tier classifier")
class SizeTierClassifierTest extends TierClassifierContract {

    @Override
    protected TierClassifier classifier() {
        return new SizeTierClassifier();
    }
}
