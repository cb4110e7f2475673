/**
 * The WAR launcher: {@link dev.magi.war.MagiWebListener} builds the engine from servlet context
 * parameters and the environment, and serves the MAGI API from Jersey's servlet in any Servlet 6.0
 * container (Tomcat 10.1+, Jetty 12 ee10). Thin on purpose: the behaviour lives in {@code magi-core}
 * and {@code magi-jaxrs}.
 *
 * <p><b>Internal.</b> The WAR is deployed, not called: its API is HTTP and its context parameters
 * (docs/configuration.md).
 */
package dev.magi.war;
