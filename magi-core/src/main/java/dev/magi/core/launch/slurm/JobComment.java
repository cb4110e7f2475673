package dev.magi.core.launch.slurm;

import java.net.URI;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The comment that marks a job as the server of one model of one MAGI install:
 * {@code magi install=ID model=MODEL_ID}, to which the job script adds {@code endpoint=URL} once the
 * server's port is chosen. The install id is what lets a restarted MAGI tell its own jobs from those of
 * another MAGI of the same user, so that it adopts or cancels only its own.
 *
 * @param installId the MAGI install that owns the job
 * @param modelId   the model whose server the job runs
 * @param endpoint  where the server listens, or null until the job has published it
 */
record JobComment(String installId, String modelId, URI endpoint) {
    static final String MARK = "magi";

    /** Install ids and model ids are written into a job's comment and script: no spaces, no quotes. */
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9._-]{1,128}");

    JobComment {
        if (installId == null || !ID.matcher(installId).matches()) {
            throw new IllegalArgumentException("install id must match " + ID + ", got " + installId);
        }
        if (modelId == null || !ID.matcher(modelId).matches()) {
            throw new IllegalArgumentException("model id must match " + ID + ", got " + modelId);
        }
    }

    /** The comment the job is submitted with, before it has an endpoint. */
    String owner() {
        return MARK + " install=" + installId + " model=" + modelId;
    }

    /** The comment as squeue shows it. */
    String text() {
        return endpoint == null ? owner() : owner() + " endpoint=" + endpoint;
    }

    /** Whether the job belongs to this install. */
    boolean ownedBy(String install) {
        return installId.equals(install);
    }

    /** A job's comment read back; empty for a comment that is not MAGI's (or is garbled). */
    static Optional<JobComment> parse(String comment) {
        if (comment == null) {
            return Optional.empty();
        }
        String[] words = comment.strip().split("\\s+");
        if (words.length < 3 || !words[0].equals(MARK)) {
            return Optional.empty();
        }
        String install = null;
        String model = null;
        URI endpoint = null;
        for (int i = 1; i < words.length; i++) {
            String word = words[i];
            if (word.startsWith("install=")) {
                install = word.substring("install=".length());
            } else if (word.startsWith("model=")) {
                model = word.substring("model=".length());
            } else if (word.startsWith("endpoint=")) {
                endpoint = EndpointLine.toEndpoint(word.substring("endpoint=".length())).orElse(null);
            }
        }
        if (install == null || model == null || !ID.matcher(install).matches() || !ID.matcher(model).matches()) {
            return Optional.empty();
        }
        return Optional.of(new JobComment(install, model, endpoint));
    }
}
