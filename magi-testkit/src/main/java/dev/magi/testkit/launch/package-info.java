/**
 * The launcher plugins' contract kit: {@link dev.magi.testkit.launch.LauncherContract} is the suite
 * every launcher passes, MAGI's built-in {@code local} launcher through its test and a third party's
 * by extending it. It drives the launcher through the plugin API alone, with the testkit's fake
 * {@code llama-server} as the binary, and checks what MAGI's supervision relies on.
 *
 * <p><b>Test API.</b> A launcher plugin's test extends {@link dev.magi.testkit.launch.LauncherContract}.
 */
package dev.magi.testkit.launch;
