/**
 * The rules behind the gateway's {@code auto} model: the built-in complexity scorer, {@code keywords},
 * and the choice of a tier from a score and the active profile's {@code tierConfig}. Other scorers
 * plug in through {@link dev.magi.spi.ComplexityScorer}.
 *
 * <p><b>Internal.</b> The built-in scorer is chosen by name ({@code MAGI_COMPLEXITY_SCORER},
 * {@code --complexity-scorer}), never referred to by type. Its public types are public only so MAGI's
 * own packages and modules can share them; they are not an API and may change in any release.
 */
package dev.magi.core.gateway.auto;
