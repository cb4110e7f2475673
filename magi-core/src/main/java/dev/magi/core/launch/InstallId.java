package dev.magi.core.launch;

import dev.magi.core.util.AtomicFiles;
import dev.magi.spi.ErrorCode;
import dev.magi.spi.MagiException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The id of this MAGI installation, kept in {@code data/install-id}: made once, then the same at every
 * start, so that a launcher can tell what this installation started from what another one did. Kept
 * beside the data rather than in the store, which several MAGI nodes may share.
 */
public final class InstallId {
    static final String FILE = "install-id";
    private static final Pattern WELL_FORMED = Pattern.compile("[A-Za-z0-9-]{8,64}");

    private InstallId() {
    }

    /**
     * The id kept in {@code dataDir}, made and kept there when there is none.
     *
     * @throws MagiException {@link ErrorCode#INVALID_CONFIGURATION} when it can be neither read nor written
     */
    public static String of(Path dataDir) {
        Path file = dataDir.resolve(FILE);
        try {
            if (Files.isRegularFile(file)) {
                String id = Files.readString(file, StandardCharsets.UTF_8).strip();
                if (WELL_FORMED.matcher(id).matches()) {
                    return id;
                }
                throw new MagiException(ErrorCode.INVALID_CONFIGURATION, file + " does not hold an install id (8 to 64"
                        + " letters, digits or dashes); restore it, or delete it to make a new one",
                        Map.of("path", file.toString()));
            }
            String id = UUID.randomUUID().toString();
            AtomicFiles.write(file, (id + "\n").getBytes(StandardCharsets.UTF_8));
            return id;
        } catch (IOException e) {
            throw new MagiException(ErrorCode.INVALID_CONFIGURATION, "Cannot read or write the install id in " + file
                    + ": " + AtomicFiles.describe(e), Map.of("path", file.toString()));
        }
    }
}
