/**
 * What the llama-server binary says about itself: its {@code --version}, asked in the background
 * with a time limit and a bounded read, so that a missing, broken or hanging binary is reported (in
 * {@code GET /servers} and on the page) instead of found out at the first start, and never holds up
 * MAGI's own start.
 */
package dev.magi.core.binary;
