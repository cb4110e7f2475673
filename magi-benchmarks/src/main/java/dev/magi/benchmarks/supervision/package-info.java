/**
 * Benchmarks of supervision against real child processes: how soon a server is seen ready, and how
 * long starting many servers at once takes. Run by hand; see BENCHMARKS.md.
 */
package dev.magi.benchmarks.supervision;
