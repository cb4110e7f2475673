package dev.magi.jaxrs.metrics;

import dev.magi.core.gateway.Gateway;
import dev.magi.core.gateway.GatewayObserver;
import dev.magi.core.gateway.RequestRecord;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The gateway's meters, fed by what the gateway tells its observers, plus the JVM's. One registry per
 * API, scraped by {@code GET /metrics}.
 */
public final class GatewayMeters implements GatewayObserver, AutoCloseable {
    static final String NONE = "none";

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final JvmGcMetrics gc = new JvmGcMetrics();
    /**
     * The meters a request ends on, found once and kept: registering looks a meter up by its name and
     * sorted tags, which cost more than the rest of a request's bookkeeping when done for each request.
     */
    private final Map<RequestKey, Counter> requests = new ConcurrentHashMap<>();
    private final Map<String, ModelMeters> models = new ConcurrentHashMap<>();
    private volatile LongSupplier memoryBudget = () -> 0;
    private volatile LongSupplier memoryReserved = () -> 0;

    /** Registers the meters and starts watching {@code gateway}. */
    public GatewayMeters(Gateway gateway) {
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        Gauge.builder("magi.gateway.queue.depth", gateway, Gateway::queuedTotal)
                .description("Requests waiting for a slot, all models together").register(registry);
        Gauge.builder("magi.memory.budget", this, meters -> meters.memoryBudget.getAsLong())
                .baseUnit("bytes").description("Memory the running models' estimates may add up to (--memory-budget)")
                .register(registry);
        Gauge.builder("magi.memory.reserved", this, meters -> meters.memoryReserved.getAsLong())
                .baseUnit("bytes").description("The estimated memory of the servers that run or start, added up")
                .register(registry);
        gateway.addObserver(this);
    }

    /** Where the memory gauges read the budget and what is reserved of it, in bytes. */
    public void memory(LongSupplier budget, LongSupplier reserved) {
        this.memoryBudget = budget;
        this.memoryReserved = reserved;
    }

    @Override
    public void requestEnded(RequestRecord request) {
        String model = orNone(request.modelId());
        String tier = request.tier() == null ? NONE : request.tier().wireName();
        String route = request.route() == null ? NONE : request.route().wireName();
        requests.computeIfAbsent(new RequestKey(model, tier, route, request.status()), this::requestCounter)
                .increment();
        ModelMeters meters = models.computeIfAbsent(model, this::modelMeters);
        meters.duration.record(request.totalMs(), TimeUnit.MILLISECONDS);
        if (request.firstByteMs() != null) {
            meters.firstByte.record(request.firstByteMs(), TimeUnit.MILLISECONDS);
        }
        meters.queueWait.record(request.queueMs(), TimeUnit.MILLISECONDS);
        if (request.promptTokens() != null) {
            meters.promptTokens.increment(request.promptTokens());
        }
        if (request.completionTokens() != null) {
            meters.completionTokens.increment(request.completionTokens());
        }
    }

    private Counter requestCounter(RequestKey key) {
        return Counter.builder("magi.gateway.requests").description("Requests through the gateway, answered or refused")
                .tag("model", key.model()).tag("tier", key.tier()).tag("route", key.route())
                .tag("status", Integer.toString(key.status())).register(registry);
    }

    private ModelMeters modelMeters(String model) {
        return new ModelMeters(
                Timer.builder("magi.gateway.request.duration").description("From arrival to the answer's last byte")
                        .tag("model", model).publishPercentileHistogram().register(registry),
                Timer.builder("magi.gateway.time.to.first.byte").description("From arrival to the answer's first byte")
                        .tag("model", model).publishPercentileHistogram().register(registry),
                Timer.builder("magi.gateway.queue.wait").description("Time waited for a slot, a server's start included")
                        .tag("model", model).publishPercentileHistogram().register(registry),
                tokens("prompt", model), tokens("completion", model));
    }

    @Override
    public void startedOnDemand(String modelId) {
        Counter.builder("magi.gateway.starts").description("Servers the gateway started")
                .tag("model", modelId).tag("reason", "on_demand").register(registry).increment();
    }

    @Override
    public void unloaded(String modelId, String reason) {
        Counter.builder("magi.gateway.unloads").description("Servers the gateway unloaded")
                .tag("model", modelId).tag("reason", reason).register(registry).increment();
    }

    /** The meters in Prometheus' text format. */
    public String scrape() {
        return registry.scrape();
    }

    @Override
    public void close() {
        gc.close();
        registry.close();
    }

    private Counter tokens(String kind, String model) {
        return Counter.builder("magi.gateway.tokens").description("Tokens read (prompt) and written (completion)")
                .tag("model", model).tag("kind", kind).register(registry);
    }

    /** The tags of one request counter. */
    private record RequestKey(String model, String tier, String route, int status) {
    }

    /** One model's timers and token counters. */
    private record ModelMeters(Timer duration, Timer firstByte, Timer queueWait, Counter promptTokens,
                               Counter completionTokens) {
    }

    private static String orNone(String value) {
        return value == null ? NONE : value;
    }
}
