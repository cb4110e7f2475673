/** The API's JSON mapping, built on the engine's hand-written forms of its data. */
package dev.magi.jaxrs.json;
