/**
 * The storage plugins' contract kit: {@link dev.magi.testkit.store.RegistryStoreContract} is the one
 * suite every store passes, MAGI's built-in ones through their tests and a third party's by extending
 * it; {@link dev.magi.testkit.store.FileRegistryStoreContract} adds what a store keeping its registry
 * in one file promises about damaged files and its backup copy; and
 * {@link dev.magi.testkit.store.StoreCrashWriter} is the writer the suite kills to check that a store
 * survives SIGKILL. The suites reach a store through the plugin API alone, so they check a plugin as
 * MAGI will use it.
 *
 * <p><b>Test API.</b> A store plugin's test extends {@link
 * dev.magi.testkit.store.RegistryStoreContract}.
 */
package dev.magi.testkit.store;
