package dev.magi.core.launch.local;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.magi.core.util.AtomicFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code data/pids.json}: the local servers this MAGI runs, so that the next MAGI can stop them if this one
 * is killed before it can. Each entry keeps the process's start instant as well as its pid, because a
 * pid is reused once its process is gone: only a process with the same pid <em>and</em> start instant
 * is the one that was recorded.
 */
final class PidFile {
    private static final Logger LOG = LoggerFactory.getLogger(PidFile.class);
    private static final ObjectMapper JSON = JsonMapper.builder().build();

    /**
     * One recorded server process.
     *
     * @param modelId      the model it serves
     * @param pid          its process id
     * @param startInstant when it started, as {@link ProcessHandle.Info#startInstant()} tells (ISO-8601)
     * @param command      its command line, for a person reading the file
     */
    record Entry(String modelId, long pid, String startInstant, List<String> command) {
        Entry {
            command = command == null ? List.of() : List.copyOf(command);
        }

        /** The process this entry names, if it still runs: same pid and same start instant. */
        Optional<ProcessHandle> stillRunning() {
            if (startInstant == null) {
                return Optional.empty();
            }
            Instant recorded;
            try {
                recorded = Instant.parse(startInstant);
            } catch (DateTimeParseException e) {
                return Optional.empty();
            }
            return ProcessHandle.of(pid)
                    .filter(ProcessTrees::isAlive)
                    .filter(h -> h.info().startInstant().map(recorded::equals).orElse(false));
        }
    }

    private final Path file;
    // Guarded by this.
    private final Map<String, Entry> entries = new LinkedHashMap<>();

    PidFile(Path file) {
        this.file = file;
    }

    Path path() {
        return file;
    }

    /** What the file holds now: at start, the servers of the previous MAGI. Unreadable entries are skipped. */
    synchronized List<Entry> read() {
        if (!Files.exists(file)) {
            return List.of();
        }
        try {
            Map<String, List<Entry>> content = JSON.readValue(file.toFile(), new TypeReference<>() {
            });
            List<Entry> servers = content.get("servers");
            return servers == null ? List.of() : new ArrayList<>(servers);
        } catch (IOException e) {
            LOG.warn("Cannot read {} ({}); servers left by a previous MAGI, if any, are not stopped", file,
                    e.getMessage());
            return List.of();
        }
    }

    /**
     * Takes over what the file holds (the servers of the previous MAGI) as if recorded here, so that
     * each is forgotten only once it is dealt with, and answers them.
     */
    synchronized List<Entry> loadPrevious() {
        List<Entry> previous = read();
        for (Entry entry : previous) {
            entries.putIfAbsent(entry.modelId(), entry);
        }
        return previous;
    }

    /** Records the server process of {@code modelId}. */
    synchronized void put(String modelId, Process process, List<String> command) {
        String started = process.info().startInstant().map(Instant::toString).orElse(null);
        entries.put(modelId, new Entry(modelId, process.pid(), started, command));
        save();
    }

    /** Forgets the server process of {@code modelId} if it is the one with {@code pid}. */
    synchronized void remove(String modelId, long pid) {
        Entry entry = entries.get(modelId);
        if (entry != null && entry.pid() == pid) {
            entries.remove(modelId);
            save();
        }
    }

    private void save() {
        try {
            byte[] bytes = JSON.writerWithDefaultPrettyPrinter()
                    .writeValueAsBytes(Map.of("servers", List.copyOf(entries.values())));
            AtomicFiles.write(file, bytes);
        } catch (IOException e) {
            LOG.warn("Cannot write {} ({}); if MAGI is killed, its servers will not be stopped at the next start",
                    file, AtomicFiles.describe(e));
        }
    }
}
