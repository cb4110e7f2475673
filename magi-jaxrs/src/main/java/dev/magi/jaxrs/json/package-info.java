/**
 * The API's JSON mapping, built on the engine's hand-written forms of its data.
 *
 * <p><b>Internal.</b> Registered by {@link dev.magi.jaxrs.MagiJaxrs#register}. Not an API.
 */
package dev.magi.jaxrs.json;
