package dev.magi.core.supervision;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * What MAGI says about one model's server: each sentence goes both to MAGI's own log, named for the
 * model, and into the server's log (stream {@value LogLine#MAGI}), so that {@code /logs} and the
 * page show a start, an exit or a restart where it happened among the server's lines.
 */
final class ServerNotes {
    /** Under the name of the server's owner: one model's supervision logs in one category. */
    private static final Logger LOG = LoggerFactory.getLogger(SupervisedServer.class);

    private final String modelId;
    private final ServerLog log;

    ServerNotes(String modelId, ServerLog log) {
        this.modelId = modelId;
        this.log = log;
    }

    String modelId() {
        return modelId;
    }

    /** Says {@code text} at {@code level} in MAGI's log, and always in the server's. */
    void say(Level level, String text) {
        LOG.atLevel(level).log("llama-server for '{}': {}", modelId, text);
        log.note(text);
    }
}
