/**
 * Error mapping: every failure, MAGI's own or Jersey's, becomes the API's one error body
 * {@code {error, message, details}} with the status its code fixes; nothing else reaches a client.
 * The hosts' handlers that answer outside Jersey write the same body with the same writer.
 *
 * <p><b>Internal.</b> Registered by {@link dev.magi.jaxrs.MagiJaxrs#register}; public only so the
 * standalone and the WAR answer their own errors in the same body. Not an API.
 */
package dev.magi.jaxrs.errors;
