package dev.magi.core.supervision;

import dev.magi.core.engine.MagiEngine;

import java.nio.file.Path;

/**
 * A MAGI in a JVM of its own, for the test that kills it with SIGKILL: it starts the server of
 * every model under {@code DIR/models}, prints {@code READY pid...}, and waits to be killed.
 * Arguments: {@code DIR LLAMA_SERVER_PATH PORT_RANGE}.
 */
public final class KilledMagiMain {
    private KilledMagiMain() {
    }

    public static void main(String[] args) throws Exception {
        MagiEngine engine = EngineSupervisionTest.engine(Path.of(args[0]), args[1], args[2]);
        StringBuilder ready = new StringBuilder("READY");
        for (String id : engine.registry().snapshot().models().keySet()) {
            ready.append(' ').append(engine.supervisor().start(id, true).pid());
        }
        System.out.println(ready);
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
