/**
 * A host application serving the MAGI API from its own Jersey application, beside its own resource,
 * on embedded Jetty: what embedding MAGI takes, and no more.
 */
package dev.magi.examples.embeddedhost;
