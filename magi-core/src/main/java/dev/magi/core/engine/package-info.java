/** The engine: everything MAGI is, wired from one configuration; what hosts build and close. */
package dev.magi.core.engine;
