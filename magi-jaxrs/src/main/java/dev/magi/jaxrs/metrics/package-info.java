/**
 * What MAGI lets a monitoring system see: {@code GET /metrics} in Prometheus' text format, written by
 * Micrometer, with the gateway's requests, latencies, queues, starts, unloads and tokens next to the
 * JVM's own meters, and {@code GET /api/gateway/requests}, the last requests one by one. The gateway
 * itself knows nothing of Micrometer: it tells a {@link dev.magi.core.gateway.GatewayObserver}.
 */
package dev.magi.jaxrs.metrics;
