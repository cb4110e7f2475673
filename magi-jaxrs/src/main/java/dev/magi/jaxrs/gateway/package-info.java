/**
 * The gateway over HTTP: the OpenAI-compatible {@code /v1} endpoints and llama-server's own, which
 * read the body's {@code model}, ask the engine's {@link dev.magi.core.gateway.Gateway} for a slot of
 * the right server and pass the request and its answer through unchanged and unbuffered. The rules
 * (which model, which server, queues) are plain Java in {@code dev.magi.core.gateway}; this package only
 * moves bytes and writes OpenAI-shaped errors, which OpenAI clients understand. A two-stage answer
 * ({@link dev.magi.jaxrs.gateway.TwoStageAnswer}) is two such requests in a row, the first read whole.
 */
package dev.magi.jaxrs.gateway;
