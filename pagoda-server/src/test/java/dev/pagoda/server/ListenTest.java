package dev.pagoda.server;

import dev.pagoda.PagodaException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ListenTest {
    /** A port in use is the operator's to fix: a user-facing error naming the address and the flag, not an internal one. */
    @Test
    void aPortInUseIsAUserFacingError() {
        Server first = new Server(ServerConfig.defaults().withHost("127.0.0.1").withPort(0));
        try {
            PagodaException e = assertThrows(PagodaException.class,
                    () -> new Server(ServerConfig.defaults().withHost("127.0.0.1").withPort(first.port())));
            assertTrue(e.getMessage().startsWith("cannot listen on 127.0.0.1:" + first.port() + ": "), e.getMessage());
            assertTrue(e.getMessage().contains("--port"), e.getMessage());
        } finally {
            first.close();
        }
    }
}
