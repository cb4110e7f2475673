package dev.magi.core.config;

import java.util.Locale;

/**
 * Every setting of MAGI: its command-line flag, its environment variable (also the servlet
 * context parameter and the key of {@link dev.magi.spi.Settings}), its default and what it means.
 * The standalone's {@code --help}, the WAR and the embedding builder all read this one table.
 */
public enum ConfigKey {
    HOST("--host", "MAGI_HOST", "127.0.0.1", "address the HTTP server binds"),
    PORT("--port", "MAGI_PORT", "8000", "HTTP port (0 = any free port; the chosen port is logged)"),
    SCAN_PATH("--scan-path", "MODEL_SCAN_PATH", "~/models", "directory scanned for GGUF files (recursively)"),
    REGISTRY_PATH("--registry-path", "REGISTRY_PATH", "data/model_registry.json",
            "registry file of the file stores (json/yaml)"),
    PROFILES_PATH("--profiles-path", "PROFILES_PATH", "config/profiles", "directory of profile YAML files"),
    STORE("--store", "MAGI_STORE", "json", "storage plugin: json, yaml, h2, or a third-party plugin's name"),
    TIER_CLASSIFIER("--tier-classifier", "MAGI_TIER_CLASSIFIER", "size", "tier-classification plugin name"),
    COMPLEXITY_SCORER("--complexity-scorer", "MAGI_COMPLEXITY_SCORER", "keywords",
            "complexity-scorer plugin that the gateway's auto model uses"),
    LAUNCHER("--launcher", "MAGI_LAUNCHER", "local",
            "where model servers run: local processes, slurm jobs, or a launcher plugin's name"),
    SLURM_PARTITION("--slurm-partition", "MAGI_SLURM_PARTITION", null,
            "slurm launcher: partition of every job (default: the cluster's)"),
    SLURM_ACCOUNT("--slurm-account", "MAGI_SLURM_ACCOUNT", null,
            "slurm launcher: account the jobs are charged to (default: the user's)"),
    SLURM_TIME("--slurm-time", "MAGI_SLURM_TIME", null,
            "slurm launcher: time limit of every job, as sbatch --time takes it (default: the partition's)"),
    SLURM_ARGS("--slurm-args", "MAGI_SLURM_ARGS", null,
            "slurm launcher: more sbatch arguments, after MAGI's own"),
    SLURM_LOG_DIR("--slurm-log-dir", "MAGI_SLURM_LOG_DIR", null,
            "slurm launcher: where the jobs' output goes, written by the nodes and read by MAGI (default:"
                    + " data/logs/slurm)"),
    PLUGINS_DIR("--plugins-dir", "MAGI_PLUGINS_DIR", null, "directory of extra plugin jars loaded at start"),
    LLAMA_SERVER("--llama-server", "LLAMA_SERVER_PATH", null,
            "the llama-server binary (default: llama-server on PATH, else /usr/local/bin/llama-server)"),
    LLAMA_HOST("--llama-host", "LLAMA_SERVER_HOST", "127.0.0.1", "address each llama-server binds"),
    LLAMA_ARGS("--llama-args", "LLAMA_SERVER_ARGS", null,
            "extra arguments appended to every llama-server command line"),
    PORT_RANGE("--port-range", "PORT_RANGE", "8080-8099", "ports handed to llama-server processes"),
    MAX_STARTUP_TIME("--max-startup-time", "MAX_STARTUP_TIME", "120",
            "seconds a server may take to become ready"),
    READINESS_INTERVAL("--readiness-interval", "READINESS_CHECK_INTERVAL", "2",
            "the longest gap between two readiness probes, in seconds"),
    STOP_TIMEOUT("--stop-timeout", "STOP_TIMEOUT", "10", "seconds of grace between SIGTERM and SIGKILL"),
    ACTIVE_PROFILE("--active-profile", "ACTIVE_PROFILE", null, "profile activated at start"),
    WATCH("--watch", "MAGI_WATCH", "true", "rescan when files under the scan path change"),
    API_KEY("--api-key", "MAGI_API_KEY", null,
            "when set, every /api/** request except the health endpoints, and the gateway's, needs this key"
                    + " (a flag shows in the process list: prefer --api-key-file)"),
    API_KEY_FILE("--api-key-file", "MAGI_API_KEY_FILE", null,
            "file holding the API key (surrounding whitespace ignored), which keeps the key out of the"
                    + " process list; not together with --api-key"),
    ALLOWED_HOSTS("--allowed-hosts", "MAGI_ALLOWED_HOSTS", null,
            "extra Host names answered besides localhost and the bound address, comma-separated (* = any)"),
    ALLOWED_ORIGINS("--allowed-origins", "MAGI_ALLOWED_ORIGINS", null,
            "extra web origins (such as https://magi.example) allowed to change state, comma-separated (* = any)"),
    GATEWAY("--gateway", "MAGI_GATEWAY", "true",
            "serve the OpenAI-compatible gateway (/v1 and llama-server's own endpoints)"),
    QUEUE_LIMIT("--queue-limit", "MAGI_QUEUE_LIMIT", "64",
            "requests that may wait per model for its server to start or free a slot (512 in all)"),
    QUEUE_TIMEOUT("--queue-timeout", "MAGI_QUEUE_TIMEOUT", "300",
            "longest wait, in seconds, for a model to start or free a slot"),
    IDLE_TTL("--idle-ttl", "MAGI_IDLE_TTL", "900",
            "seconds a server the gateway started may stay unused before it is stopped (0 = never)"),
    MEMORY_BUDGET("--memory-budget", "MAGI_MEMORY_BUDGET", null,
            "what the estimated memory of the running models may add up to, such as 24G or 512M (default: physical"
                    + " memory less 2 GiB)"),
    MAX_LOADED_MODELS("--max-loaded-models", "MAGI_MAX_LOADED_MODELS", "0",
            "servers running at once (0 = no limit); a start beyond it stops an idle one the gateway started"),
    HEALTH_CHECK_INTERVAL("--health-check-interval", "MAGI_HEALTH_CHECK_INTERVAL", null,
            "seconds between two GET /health probes of each ready server (default: the active profile's"
                    + " loadBalancing.healthCheckInterval, else 30)"),
    HTTP_IDLE_TIMEOUT("--http-idle-timeout", "MAGI_HTTP_IDLE_TIMEOUT", "30",
            "seconds an HTTP connection may stay silent (between requests, or part-way through sending one)"
                    + " before it is closed"),
    REQUEST_BODY_TIMEOUT("--request-body-timeout", "MAGI_REQUEST_BODY_TIMEOUT", "30",
            "seconds a client may take to send a whole request body; a slower one is answered 408 (400"
                    + " invalid_json on the gateway's paths, and the connection closed; the rest of a body the"
                    + " gateway refuses: the refusal is sent and the connection closed)"),
    H2_URL("--h2-url", "MAGI_H2_URL", null, "H2 JDBC URL of the h2 store (default: a database beside the registry path)"),
    MAX_EVENT_STREAMS("--max-event-streams", "MAGI_MAX_EVENT_STREAMS", "256",
            "server-sent event streams (events and log streams) open at once; one more is answered 503");

    private final String flag;
    private final String variable;
    private final String defaultValue;
    private final String description;

    ConfigKey(String flag, String variable, String defaultValue, String description) {
        this.flag = flag;
        this.variable = variable;
        this.defaultValue = defaultValue;
        this.description = description;
    }

    /** The standalone's command-line flag, such as {@code --scan-path}. */
    public String flag() {
        return flag;
    }

    /** The environment variable and context-parameter name, such as {@code MODEL_SCAN_PATH}. */
    public String variable() {
        return variable;
    }

    /** The default as text, or null when there is none. */
    public String defaultValue() {
        return defaultValue;
    }

    public String description() {
        return description;
    }

    /** The key whose flag or variable is {@code name}, in any letter case; null when none. */
    public static ConfigKey byName(String name) {
        for (ConfigKey key : values()) {
            if (key.variable.equalsIgnoreCase(name) || key.flag.equalsIgnoreCase(name)
                    || key.name().equalsIgnoreCase(name.replace('-', '_').toUpperCase(Locale.ROOT))) {
                return key;
            }
        }
        return null;
    }
}
