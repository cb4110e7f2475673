/**
 * The standalone launcher: {@link dev.magi.standalone.MagiMain} reads the command line (built from
 * {@link dev.magi.core.config.ConfigKey}) and {@link dev.magi.standalone.MagiServer} serves the MAGI API
 * from embedded Jetty (ee10) through Jersey's servlet. Thin on purpose: the behaviour lives in
 * {@code magi-core} and {@code magi-jaxrs}.
 *
 * <p><b>Embedding API.</b> for {@code MagiServer.newServer}, which a test or a host calls to run the
 * standalone server on a port of its choosing; the command line is internal.
 */
package dev.magi.standalone;
