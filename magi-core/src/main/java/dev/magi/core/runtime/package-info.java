/**
 * What a model's runtime settings may hold before the registry saves them: the extra llama-server
 * arguments and environment variables a user adds must not take over what MAGI sets itself (the
 * model file, address, port, alias, the numeric settings, the projector), and are bounded so that a
 * hostile request cannot bloat the registry. Plain rules, no HTTP: every failure is an
 * {@code InvalidRequest} naming the field and the flag or variable at fault.
 */
package dev.magi.core.runtime;
