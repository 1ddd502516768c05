package dev.pagoda.engine;

import dev.pagoda.PagodaException;

/** Fails early, with the flags to add, when the JVM was started without the Vector API module. */
public final class VectorApiCheck {
    public static final String JVM_FLAGS = "--add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED";

    private VectorApiCheck() {
    }

    public static boolean available() {
        return ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
    }

    public static void require() {
        if (!available()) {
            throw new PagodaException("the Vector API module is missing: start java with " + JVM_FLAGS
                    + " (the ./pagoda launcher adds them)");
        }
    }
}
