package dev.magi.core.profile;

import dev.magi.core.registry.ModelRegistry;
import dev.magi.core.supervision.ServerState;
import dev.magi.core.supervision.ServerStatus;
import dev.magi.core.supervision.ServerSupervisor;
import dev.magi.core.supervision.StartAllResult;
import dev.magi.spi.ModelProfile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Switches MAGI to a profile: its models and only those are enabled, the running servers outside it
 * are stopped, its models' servers are started (running ones keep running), and it is recorded as
 * the active profile so that the next start brings its servers back. One activation at a time.
 */
public final class ProfileActivator {
    private static final Logger LOG = LoggerFactory.getLogger(ProfileActivator.class);

    private final ProfileService profiles;
    private final ModelRegistry registry;
    private final ServerSupervisor supervisor;
    private final Consumer<List<String>> running;
    private final Object lock = new Object();

    public ProfileActivator(ProfileService profiles, ModelRegistry registry, ServerSupervisor supervisor) {
        this(profiles, registry, supervisor, ids -> {
        });
    }

    /**
     * @param running told, after each activation, the profile's models whose servers run now (started
     *                by it or already running): the engine pins them, so idle unload leaves them alone
     */
    public ProfileActivator(ProfileService profiles, ModelRegistry registry, ServerSupervisor supervisor,
                            Consumer<List<String>> running) {
        this.profiles = profiles;
        this.registry = registry;
        this.supervisor = supervisor;
        this.running = running;
    }

    /** What an activation did. */
    public record Result(String profileName, List<String> started, List<String> stopped,
                         List<StartAllResult.Failure> failed, List<String> unknownModels) {
        public Result {
            started = List.copyOf(started);
            stopped = List.copyOf(stopped);
            failed = List.copyOf(failed);
            unknownModels = List.copyOf(unknownModels);
        }
    }

    /**
     * @throws dev.magi.spi.MagiException {@code ProfileNotFound}, {@code InvalidProfileName}
     */
    public Result activate(String name) {
        synchronized (lock) {
            ModelProfile profile = profiles.get(name);
            List<String> unknown = profiles.unknownModels(profile);
            Set<String> wanted = new LinkedHashSet<>(profile.enabledModels());
            // Set.removeAll walks the set and asks the list about each id when the list is not the
            // smaller one: quadratic, seconds for a profile of tens of thousands of unknown ids.
            unknown.forEach(wanted::remove);
            registry.setEnabledExactly(wanted);
            // The profile is active from the moment its models are the enabled ones: the page and
            // GET /profiles/active show it while its servers load, and a MAGI killed during the
            // starts brings the same profile back.
            profiles.setActive(name);

            List<String> stopped = new ArrayList<>();
            for (ServerStatus server : supervisor.servers()) {
                if (!wanted.contains(server.modelId()) && server.state() != ServerState.STOPPED
                        && server.state() != ServerState.FAILED) {
                    supervisor.stop(server.modelId());
                    stopped.add(server.modelId());
                }
            }
            StartAllResult starts = supervisor.startAll(wanted);
            List<String> runningNow = new ArrayList<>(starts.started());
            runningNow.addAll(starts.alreadyRunning());
            running.accept(runningNow);
            LOG.info("Profile '{}' active: started {}, stopped {}, failed {}, unknown models {}", name,
                    starts.started(), stopped, starts.failed().size(), unknown);
            return new Result(name, starts.started(), stopped, starts.failed(), unknown);
        }
    }
}
