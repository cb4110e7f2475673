package dev.magi.core.discovery;

/**
 * A file the scan looked at and did not list as a model, with the reason: a scan reports it and a
 * rescan's summary passes it on to the user.
 *
 * @param path   the file
 * @param reason a sentence for a person
 */
public record SkippedFile(String path, String reason) {
}
