/**
 * MAGI's REST API as JAX-RS resources for any Jersey: {@link dev.magi.jaxrs.MagiJaxrs#register}
 * adds them, with the JSON mapping, the error mapping and the request guards, in one call.
 */
package dev.magi.jaxrs;
