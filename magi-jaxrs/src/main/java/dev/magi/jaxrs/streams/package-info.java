/**
 * Server-sent event streams without a thread per client: producers (the event hub, a server's output
 * drain) only leave events in a stream's backlog and wake it; a small shared pool sends what is
 * waiting, and one shared timer sends keep-alives and notices clients that went away. The number of
 * open streams is capped ({@code --max-event-streams}); one more is answered 503.
 *
 * <p><b>Internal.</b> Used by the resources; their API is HTTP, documented in docs/api.md.
 */
package dev.magi.jaxrs.streams;
