/**
 * What every launcher of MAGI shares: the errors a start answers with, so that a server that cannot
 * start says so in the same words whether the check that found it was the supervisor's or a
 * launcher's. The built-in launchers live in sub-packages ({@code local}); the interface they
 * implement is {@link dev.magi.spi.launch}.
 *
 * <p><b>Internal.</b>
 */
package dev.magi.core.launch;
