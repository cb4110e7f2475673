package dev.magi.core.supervision;

import java.util.List;
import java.util.Objects;

/**
 * What starting several servers at once did.
 *
 * @param started        models whose server was started (or whose pending start was joined) and is ready
 * @param alreadyRunning models whose server was already ready
 * @param failed         models whose server could not be started, with why
 */
public record StartAllResult(List<String> started, List<String> alreadyRunning, List<Failure> failed) {
    public StartAllResult {
        started = List.copyOf(started);
        alreadyRunning = List.copyOf(alreadyRunning);
        failed = List.copyOf(failed);
    }

    /**
     * One model that did not start.
     *
     * @param modelId the model
     * @param error   the API's error name, such as {@code ServerStartFailed}
     * @param message what went wrong, for a person
     */
    public record Failure(String modelId, String error, String message) {
        public Failure {
            Objects.requireNonNull(modelId, "modelId");
            Objects.requireNonNull(error, "error");
        }
    }
}
