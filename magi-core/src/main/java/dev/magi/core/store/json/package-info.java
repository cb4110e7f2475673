/**
 * The built-in {@code json} store: the registry as one crash-safe JSON file at {@code REGISTRY_PATH}.
 *
 * <p><b>Internal.</b> Chosen by name ({@code MAGI_STORE=json}), never referred to by type. Its public
 * types are public only so MAGI's own packages and modules can share them; they are not an API and
 * may change in any release.
 */
package dev.magi.core.store.json;
