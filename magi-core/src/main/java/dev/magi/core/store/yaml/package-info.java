/**
 * The built-in {@code yaml} store: the registry as a YAML file beside {@code REGISTRY_PATH}, written and
 * read through the same code as the {@code json} store's file (see {@link dev.magi.core.store.file}),
 * and the profiles as YAML files in {@code PROFILES_PATH}.
 *
 * <p><b>Internal.</b> Chosen by name ({@code MAGI_STORE=yaml}), never referred to by type. Its public
 * types are public only so MAGI's own packages and modules can share them; they are not an API and
 * may change in any release.
 */
package dev.magi.core.store.yaml;
