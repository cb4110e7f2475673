package dev.magi.jaxrs.gateway;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Stand-ins for a container's request and response, for what no real container does on demand (throw
 * as an answer begins) or for an exchange tested without HTTP.
 */
final class ServletStubs {
    private ServletStubs() {
    }

    /** A suspended request whose container takes whatever it is told. */
    static HttpServletRequest request() {
        AsyncContext async = stub(AsyncContext.class, (proxy, method, args) -> defaultOf(method.getReturnType()));
        return stub(HttpServletRequest.class, (proxy, method, args) -> method.getName().equals("startAsync")
                ? async : defaultOf(method.getReturnType()));
    }

    /** A response that takes whatever it is told, and writes nothing. */
    static HttpServletResponse response() {
        return stub(HttpServletResponse.class, (proxy, method, args) -> defaultOf(method.getReturnType()));
    }

    /** A response whose output stream cannot be had: the container's failure as the answer begins. */
    static HttpServletResponse failingResponse(AtomicBoolean writeTried) {
        return stub(HttpServletResponse.class, (proxy, method, args) -> {
            if (method.getName().equals("getOutputStream")) {
                writeTried.set(true);
                throw new IllegalStateException("The response cannot be written");
            }
            return defaultOf(method.getReturnType());
        });
    }

    private static <T> T stub(Class<T> type, InvocationHandler handler) {
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, handler));
    }

    private static Object defaultOf(Class<?> type) {
        if (type == boolean.class) {
            return false;
        }
        if (type == int.class) {
            return 0;
        }
        if (type == long.class) {
            return 0L;
        }
        return null;
    }
}
