package dev.magi.core.events;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The registry changed (a scan, an edit, a save by another node); clients that need more than the
 * summary load the registry again.
 *
 * @param models how many models the registry holds
 * @param lastScan when the scan path was last scanned, null before the first scan
 */
public record RegistryChanged(int models, Instant lastScan) implements MagiEvent {

    @Override
    public String type() {
        return "registry";
    }

    @Override
    public Object data() {
        // A map rather than the record: the stream sends the time as its ISO text, and null before a first scan.
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("models", models);
        summary.put("lastScan", lastScan == null ? null : lastScan.toString());
        return summary;
    }
}
