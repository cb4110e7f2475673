/**
 * The engine: everything MAGI is, wired from one configuration; what hosts build and close.
 *
 * <p><b>Embedding API.</b> A host builds a {@link dev.magi.core.engine.MagiEngine}, uses it and
 * closes it; this is where embedding starts, and what the standalone, the WAR and the embedded
 * example do.
 */
package dev.magi.core.engine;
