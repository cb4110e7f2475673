package dev.magi.core.discovery;

import dev.magi.spi.DiscoveredModel;

import java.nio.file.Path;

/**
 * Scans a directory and prints one line per model and per skipped file. Lets a test run discovery in
 * a child JVM as another user, where file permissions apply (they do not to root).
 */
public final class ScanToStdout {
    private ScanToStdout() {
    }

    public static void main(String[] args) {
        ScanResult result = new ModelScanner().scan(Path.of(args[0]));
        for (DiscoveredModel model : result.models()) {
            System.out.println("MODEL\t" + model.filename() + "\t" + String.join("; ", model.problemMessages()));
        }
        for (SkippedFile skipped : result.skipped()) {
            System.out.println("SKIPPED\t" + Path.of(skipped.path()).getFileName() + "\t" + skipped.reason());
        }
    }
}
