/**
 * Benchmarks of supervision against real child processes: how soon a server is seen ready (the fake
 * llama-server, and the real one beside fixed-interval pollers), and how long starting many servers
 * at once takes. Run by hand; see BENCHMARKS.md.
 */
package dev.magi.benchmarks.supervision;
