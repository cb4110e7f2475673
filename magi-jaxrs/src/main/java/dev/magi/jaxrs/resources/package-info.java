/**
 * The REST resources: registry and models, profiles, health. Thin: every rule lives in the engine.
 *
 * <p><b>Internal.</b> Registered by {@link dev.magi.jaxrs.MagiJaxrs#register}; their API is HTTP,
 * documented in docs/api.md, not their Java types.
 */
package dev.magi.jaxrs.resources;
