/**
 * The JSON form of MAGI's data, shared by the file stores and the HTTP API so that what is on disk
 * and what is on the wire are the same document.
 *
 * <p><b>Internal.</b> Its public types are public only so MAGI's own packages and modules can share
 * them; they are not an API and may change in any release. Hosts reach this through {@link
 * dev.magi.core.engine.MagiEngine}.
 */
package dev.magi.core.json;
