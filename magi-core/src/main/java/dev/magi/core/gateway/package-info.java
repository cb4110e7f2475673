/**
 * The gateway's rules, as plain Java without HTTP: which model a request's {@code model} names
 * ({@link dev.magi.core.gateway.ModelResolver}), which models may serve a tier and where a tier with
 * none escalates ({@link dev.magi.core.gateway.Candidates}), and which running server takes the request
 * or whether another starts ({@link dev.magi.core.gateway.Balancer}). Errors are OpenAI-shaped
 * ({@link dev.magi.core.gateway.GatewayError}) so that OpenAI clients understand them; the HTTP layer
 * only writes them out. How hard a question is lives in {@link dev.magi.core.gateway.auto}; whether and how
 * {@code auto} answers in two stages in {@link dev.magi.core.gateway.twostage}.
 *
 * <p>{@link dev.magi.core.gateway.Gateway} applies them: it owns the queues and in-flight counts,
 * starts servers on demand and leases their slots ({@link dev.magi.core.gateway.Lease}) to requests.
 *
 * <p><b>Internal.</b> Public only so MAGI's own packages and modules can share these types; not an
 * API, and they may change in any release.
 */
package dev.magi.core.gateway;
