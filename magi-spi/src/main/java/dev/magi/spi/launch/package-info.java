/**
 * The launcher plugin kind: where a model's {@code llama-server} runs. A {@link
 * dev.magi.spi.launch.LauncherProvider}, chosen by name with {@code MAGI_LAUNCHER}, opens a {@link
 * dev.magi.spi.launch.Launcher}; the launcher starts a server from a {@link
 * dev.magi.spi.launch.LaunchSpec}, answers a {@link dev.magi.spi.launch.Launch} handle whose {@link
 * dev.magi.spi.launch.LaunchState} says whether it waits for a place ({@code Pending}), runs at an
 * endpoint ({@code Running}) or has ended ({@code Ended}), streams the server's output to a {@link
 * dev.magi.spi.launch.LaunchListener}, stops it, and lists what a previous MAGI left running ({@link
 * dev.magi.spi.launch.LeftRunning}) for MAGI to adopt or stop.
 *
 * <p>A launcher only places, watches and stops processes. Everything above it is MAGI's and the same
 * for every launcher: readiness by {@code GET /health} on the endpoint, the start deadline (counted
 * from {@code Running}, so a job waiting in a queue is not late), restarts with back-off, the
 * gateway, idle unload, the memory budget, logs and events.
 *
 * <p><b>Plugin API.</b> Depends on the JDK and {@code dev.magi.spi} only; docs/launchers.md is the
 * guide for authors.
 */
package dev.magi.spi.launch;
