/**
 * MAGI's REST API as JAX-RS resources for any Jersey: {@link dev.magi.jaxrs.MagiJaxrs#register}
 * adds them, with the JSON mapping, the error mapping and the request guards, in one call.
 *
 * <p><b>Embedding API.</b> {@link dev.magi.jaxrs.MagiJaxrs#register} is the one call a host makes to
 * serve MAGI's API from its own Jersey.
 */
package dev.magi.jaxrs;
