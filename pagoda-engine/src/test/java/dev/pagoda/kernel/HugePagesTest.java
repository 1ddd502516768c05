package dev.pagoda.kernel;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HugePagesTest {
    @Test
    void linuxGetsHugePageMemory() {
        if (System.getProperty("os.name").toLowerCase().contains("linux")) assertTrue(HugePages.available());
    }

    @Test
    void memoryIsZeroedAlignedWritableAndFreedWithItsArena() {
        long bytes = 3 * 1024 * 1024 + 5; // not a whole number of huge pages
        MemorySegment seg;
        try (Arena arena = Arena.ofShared()) {
            seg = HugePages.allocate(arena, bytes);
            assertEquals(bytes, seg.byteSize());
            assertEquals(0, seg.address() % 64);
            for (long i = 0; i < bytes; i += 4093) assertEquals(0, seg.get(ValueLayout.JAVA_BYTE, i));
            seg.set(ValueLayout.JAVA_BYTE, bytes - 1, (byte) 7);
            seg.set(ValueLayout.JAVA_LONG_UNALIGNED, 0, 42L);
            assertEquals(7, seg.get(ValueLayout.JAVA_BYTE, bytes - 1));
            assertEquals(42L, seg.get(ValueLayout.JAVA_LONG_UNALIGNED, 0));
        }
        assertFalse(seg.scope().isAlive());
        MemorySegment closed = seg;
        assertThrows(IllegalStateException.class, () -> closed.get(ValueLayout.JAVA_BYTE, 0));
    }

    @Test
    void smallRequestsComeFromTheArena() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment seg = HugePages.allocate(arena, 100);
            assertEquals(100, seg.byteSize());
            assertEquals(0, seg.address() % 64);
        }
    }
}
