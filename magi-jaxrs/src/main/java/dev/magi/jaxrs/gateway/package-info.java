/**
 * The gateway over HTTP: the OpenAI-compatible {@code /v1} endpoints and llama-server's own, which
 * read the body's {@code model}, ask the engine's {@link dev.magi.core.gateway.Gateway} for a slot of
 * the right server and pass the request and its answer through unchanged and unbuffered. The rules
 * (which model, which server, queues) are plain Java in {@code dev.magi.core.gateway}; this package only
 * moves bytes and writes OpenAI-shaped errors, which OpenAI clients understand. A two-stage answer
 * ({@link dev.magi.jaxrs.gateway.TwoStageAnswer}) is two such requests in a row, the first read whole.
 *
 * <p>The byte-moving paths are an asynchronous servlet ({@link dev.magi.jaxrs.gateway.GatewayServlet})
 * mounted beside Jersey, with non-blocking reads and writes and Jetty's HTTP client to the servers, so no
 * thread waits for a slot or an answer; Jersey serves only the model list and unknown {@code /v1} paths.
 */
package dev.magi.jaxrs.gateway;
