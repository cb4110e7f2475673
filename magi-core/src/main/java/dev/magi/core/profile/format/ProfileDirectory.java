package dev.magi.core.profile.format;

import dev.magi.core.util.AtomicFiles;
import dev.magi.spi.ErrorCode;
import dev.magi.spi.MagiException;
import dev.magi.spi.ModelProfile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Profiles kept as {@code NAME.yaml} files in one directory ({@code PROFILES_PATH}), the part of the
 * built-in file stores that holds profiles, plus the name of the active profile.
 *
 * <p>Every name is checked against {@link ModelProfile#NAME_PATTERN} before any path is built from it,
 * so no name reaches outside the directory. Writes are crash-safe (temporary file, force, atomic
 * rename, force the directory). A {@code NAME.yml} file is read too; saving a profile writes
 * {@code NAME.yaml} and removes a {@code NAME.yml} of the same name so the two cannot disagree.
 *
 * <p>The class keeps no state but the directory, so it is safe to use from several threads; callers
 * serialise writes, and a reader sees either the old or the new file.
 */
public final class ProfileDirectory {
    private static final Logger LOG = LoggerFactory.getLogger(ProfileDirectory.class);

    /** The file holding the active profile's name; a leading dot is never part of a profile name. */
    static final String ACTIVE_FILE = ".active";

    private static final int MAX_ACTIVE_BYTES = 256;

    private final Path dir;

    /** A store over {@code directory}, which need not exist yet. */
    public ProfileDirectory(Path directory) {
        this.dir = directory.toAbsolutePath().normalize();
    }

    /** The absolute directory holding the profile files. */
    public Path directory() {
        return dir;
    }

    /**
     * The names of the profiles in the directory, sorted, one per name even when both a {@code .yaml}
     * and a {@code .yml} file exist. Files whose base name is not a valid profile name are left out;
     * files that cannot be parsed are listed (loading them reports why). Empty when the directory
     * does not exist.
     */
    public List<String> names() {
        if (!Files.exists(dir)) {
            return List.of();
        }
        TreeSet<String> names = new TreeSet<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                String name = ProfileYaml.profileNameOf(entry.getFileName().toString());
                if (ModelProfile.isValidName(name) && Files.isRegularFile(entry)) {
                    names.add(name);
                }
            }
        } catch (IOException e) {
            throw storageFailed("Cannot list the profiles directory", e);
        }
        return List.copyOf(names);
    }

    /**
     * The profile called {@code name}, or empty when there is none.
     *
     * @throws MagiException {@link ErrorCode#INVALID_PROFILE_NAME} for a name that is not acceptable,
     *                       {@link ErrorCode#INVALID_PROFILE} when the file cannot be parsed (the message
     *                       names the file and the reason), {@link ErrorCode#STORAGE_FAILED} when it
     *                       cannot be read
     */
    public Optional<ModelProfile> load(String name) {
        for (String extension : ProfileYaml.EXTENSIONS) {
            Path file = fileFor(name, extension);
            if (Files.exists(file)) {
                try {
                    requireInside(file);
                    return Optional.of(ProfileYaml.read(file));
                } catch (MagiException e) {
                    // Deleted between the check and the read: as if it had never been there.
                    if (e.code() == ErrorCode.PROFILE_NOT_FOUND) {
                        return Optional.empty();
                    }
                    throw e;
                }
            }
        }
        return Optional.empty();
    }

    /**
     * Creates or replaces the profile of the same name, creating the directory when needed. The file is
     * on stable storage when this returns.
     *
     * @throws MagiException {@link ErrorCode#STORAGE_FAILED} when it cannot be written
     */
    public void save(ModelProfile profile) {
        Path target = fileFor(profile.name(), ProfileYaml.EXTENSIONS.get(0));
        byte[] content = ProfileYaml.write(profile).getBytes(StandardCharsets.UTF_8);
        try {
            Files.createDirectories(dir);
            AtomicFiles.write(target, content);
            for (String extension : ProfileYaml.EXTENSIONS.subList(1, ProfileYaml.EXTENSIONS.size())) {
                AtomicFiles.delete(fileFor(profile.name(), extension));
            }
        } catch (IOException e) {
            throw storageFailed("Cannot save the profile '" + profile.name() + "'", e);
        }
    }

    /**
     * Deletes the profile called {@code name}; answers whether it existed.
     *
     * @throws MagiException {@link ErrorCode#INVALID_PROFILE_NAME} for a name that is not acceptable,
     *                       {@link ErrorCode#STORAGE_FAILED} when it cannot be deleted
     */
    public boolean delete(String name) {
        boolean existed = false;
        try {
            for (String extension : ProfileYaml.EXTENSIONS) {
                existed |= AtomicFiles.delete(fileFor(name, extension));
            }
        } catch (IOException e) {
            throw storageFailed("Cannot delete the profile '" + name + "'", e);
        }
        return existed;
    }

    /**
     * The name of the active profile, or empty when none is recorded. A marker that does not hold a
     * valid name is logged and read as none, so a damaged marker cannot keep MAGI from starting.
     */
    public Optional<String> loadActive() {
        Path file = dir.resolve(ACTIVE_FILE);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        String text;
        try (InputStream in = Files.newInputStream(file)) {
            text = new String(in.readNBytes(MAX_ACTIVE_BYTES), StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw storageFailed("Cannot read the active profile", e);
        }
        if (text.isEmpty()) {
            return Optional.empty();
        }
        if (!ModelProfile.isValidName(text)) {
            LOG.warn("The active-profile marker {} does not hold a valid profile name; no profile is active", file);
            return Optional.empty();
        }
        return Optional.of(text);
    }

    /**
     * Records the active profile's name, or clears it when {@code name} is null. Whether such a
     * profile exists is the caller's concern.
     *
     * @throws MagiException {@link ErrorCode#INVALID_PROFILE_NAME} for a name that is not acceptable,
     *                       {@link ErrorCode#STORAGE_FAILED} when it cannot be written
     */
    public void saveActive(String name) {
        Path file = dir.resolve(ACTIVE_FILE);
        try {
            if (name == null) {
                AtomicFiles.delete(file);
            } else {
                ModelProfile.requireValidName(name);
                Files.createDirectories(dir);
                AtomicFiles.write(file, (name + "\n").getBytes(StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw storageFailed("Cannot record the active profile", e);
        }
    }

    /**
     * Deletes the temporary files of profile and active-marker writes that a crash interrupted; answers
     * how many. Only this directory's own files are touched: temporaries of a profile file or the marker.
     *
     * @throws MagiException {@link ErrorCode#STORAGE_FAILED} when the directory cannot be listed
     */
    public int removeStaleTemporaries() {
        try {
            return AtomicFiles.removeStaleTemporaries(dir, target -> ACTIVE_FILE.equals(target)
                    || ModelProfile.isValidName(ProfileYaml.profileNameOf(target)));
        } catch (IOException e) {
            throw storageFailed("Cannot clean the profiles directory", e);
        }
    }

    /** The file for a profile name, built only after the name is known to be safe. */
    private Path fileFor(String name, String extension) {
        ModelProfile.requireValidName(name);
        Path file = dir.resolve(name + extension).normalize();
        // The pattern already rules out separators and dots; this guards against a future change to it.
        if (!dir.equals(file.getParent())) {
            throw new MagiException(ErrorCode.INVALID_PROFILE_NAME,
                    "Invalid profile name: it leaves the profiles directory",
                    Collections.singletonMap("profileName", name));
        }
        return file;
    }

    /**
     * Refuses a symbolic link that leads out of the directory: reading it would hand any file the
     * process can read to whoever may read profiles. The message names the link, never the target.
     */
    private void requireInside(Path file) {
        if (!Files.isSymbolicLink(file)) {
            return;
        }
        String fileName = file.getFileName().toString();
        try {
            if (file.toRealPath().getParent().equals(dir.toRealPath())) {
                return;
            }
        } catch (NoSuchFileException e) {
            throw new MagiException(ErrorCode.PROFILE_NOT_FOUND, "Profile file '" + fileName + "' not found",
                    Map.of("file", fileName), e);
        } catch (IOException e) {
            throw storageFailed("Cannot resolve the profile file '" + fileName + "'", e);
        }
        LOG.warn("Profile file {} is a link to a file outside {}; it is not read", fileName, dir);
        throw new MagiException(ErrorCode.INVALID_PROFILE, "Profile file '" + fileName
                + "' is a link to a file outside the profiles directory; it is not read", Map.of("file", fileName));
    }

    private MagiException storageFailed(String what, IOException e) {
        return new MagiException(ErrorCode.STORAGE_FAILED, what + ": " + AtomicFiles.describe(e),
                Map.of("directory", dir.toString()), e);
    }
}
