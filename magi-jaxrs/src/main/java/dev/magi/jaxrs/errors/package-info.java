/**
 * Error mapping: every failure, MAGI's own or Jersey's, becomes the API's one error body
 * {@code {error, message, details}} with the status its code fixes; nothing else reaches a client.
 * The hosts' handlers that answer outside Jersey write the same body with the same writer.
 */
package dev.magi.jaxrs.errors;
