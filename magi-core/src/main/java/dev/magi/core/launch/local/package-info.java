/**
 * The built-in {@code local} launcher: each model's {@code llama-server} a child process of MAGI on
 * this machine. It checks what can be checked before a process (the binary, the bind address, the
 * port, moving an automatic port another program holds), starts the process without a shell, drains
 * both of its pipes into the launch's listener, notices its end at once, stops it together with
 * everything it started (SIGTERM, the grace, SIGKILL), and records every pid in
 * {@code data/pids.json} so that the next MAGI can stop what a killed one left running.
 *
 * <p><b>Internal.</b> Chosen by name ({@code MAGI_LAUNCHER=local}, the default) through
 * {@link dev.magi.core.launch.local.LocalLauncherProvider}; the supervisor above it knows only the
 * {@link dev.magi.spi.launch} interface.
 */
package dev.magi.core.launch.local;
