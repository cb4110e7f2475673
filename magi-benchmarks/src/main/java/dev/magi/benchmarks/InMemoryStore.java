package dev.magi.benchmarks;

import dev.magi.spi.ModelProfile;
import dev.magi.spi.RegistrySnapshot;
import dev.magi.spi.RegistryStore;

import java.util.List;
import java.util.Optional;

/**
 * A store that keeps the last registry by reference: for measuring the registry itself, without
 * the JSON store's disk writes in the time or its buffers in the heap.
 */
final class InMemoryStore implements RegistryStore {
    private volatile RegistrySnapshot saved;

    @Override
    public Optional<RegistrySnapshot> loadRegistry() {
        return Optional.ofNullable(saved);
    }

    @Override
    public void saveRegistry(RegistrySnapshot registry) {
        saved = registry;
    }

    @Override
    public List<String> profileNames() {
        return List.of();
    }

    @Override
    public Optional<ModelProfile> loadProfile(String name) {
        return Optional.empty();
    }

    @Override
    public void saveProfile(ModelProfile profile) {
        throw new UnsupportedOperationException("profiles are not part of the benchmarks");
    }

    @Override
    public boolean deleteProfile(String name) {
        return false;
    }
}
