/** The REST resources: registry and models, profiles, health. Thin: every rule lives in the engine. */
package dev.magi.jaxrs.resources;
