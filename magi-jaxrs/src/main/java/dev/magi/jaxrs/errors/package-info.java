/**
 * Error mapping: every failure, MAGI's own or Jersey's, becomes the API's one error body
 * {@code {error, message, details}} with the status its code fixes; nothing else reaches a client.
 */
package dev.magi.jaxrs.errors;
