package dev.magi.spi;

import java.util.Map;

/**
 * Thrown by {@link RegistryStore#saveRegistry(RegistrySnapshot, long)} of a store that several MAGI
 * nodes share, when another node saved the registry after the version the change was made to: saving
 * would overwrite that save. Nothing was saved; MAGI loads the registry again and applies its change
 * to it.
 */
public class RegistryConflictException extends MagiException {
    private static final long serialVersionUID = 1L;

    public RegistryConflictException(String message, Map<String, ?> details) {
        super(ErrorCode.STORAGE_FAILED, message, details);
    }
}
