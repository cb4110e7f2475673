/**
 * Request guards: the Host and Origin checks, the API key and the request body size limit.
 *
 * <p><b>Internal.</b> Registered by {@link dev.magi.jaxrs.MagiJaxrs#register}. Not an API.
 */
package dev.magi.jaxrs.security;
