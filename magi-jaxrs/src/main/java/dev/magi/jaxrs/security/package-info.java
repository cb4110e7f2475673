/** Request guards: the API key and the request body size limit. */
package dev.magi.jaxrs.security;
