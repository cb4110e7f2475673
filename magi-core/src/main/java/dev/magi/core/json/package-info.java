/**
 * The JSON form of MAGI's data, shared by the file stores and the HTTP API so that what is on disk
 * and what is on the wire are the same document.
 */
package dev.magi.core.json;
