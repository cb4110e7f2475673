/**
 * The storage plugins' contract kit, shipped in magi-core's {@code tests} test-jar: {@link
 * dev.magi.core.store.RegistryStoreContract} is the one suite every store passes, the built-in ones
 * through their tests here and a third party's by extending it, and {@link
 * dev.magi.core.store.StoreCrashWriter} is the writer it kills to check that a store survives SIGKILL.
 */
package dev.magi.core.store;
