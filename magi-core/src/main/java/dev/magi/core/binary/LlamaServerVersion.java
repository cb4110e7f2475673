package dev.magi.core.binary;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.Objects;

/**
 * The llama-server binary as its {@code --version} showed it.
 *
 * @param path    the binary ({@code LLAMA_SERVER_PATH})
 * @param version what follows {@code version:}, e.g. {@code 0.7.0 (build 11669, commit Debian)}; null when unknown
 * @param build   what follows {@code built with}, e.g. {@code GNU 16.2.0 for Linux x86_64}; null when it did not say
 * @param error   why the version is unknown (missing, not executable, failed, hung); null when it is known
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record LlamaServerVersion(String path, String version, String build, String error) {
    public LlamaServerVersion {
        Objects.requireNonNull(path, "path");
        if ((version == null) == (error == null)) {
            throw new IllegalArgumentException("exactly one of version and error, got " + version + " and " + error);
        }
    }

    static LlamaServerVersion known(String path, String version, String build) {
        return new LlamaServerVersion(path, version, build, null);
    }

    static LlamaServerVersion unknown(String path, String error) {
        return new LlamaServerVersion(path, null, null, error);
    }

    /** Whether the binary ran and said its version. */
    public boolean isKnown() {
        return version != null;
    }
}
