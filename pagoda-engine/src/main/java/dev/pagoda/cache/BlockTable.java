package dev.pagoda.cache;

import java.util.Arrays;

/**
 * One sequence's block table: the physical block of each of its {@code blockSize}-token
 * positions runs (position p is in {@code block(p / blockSize)}), and the prefix-cache hash of each
 * leading full block whose hash is known. Only {@link BlockManager} changes it.
 */
public final class BlockTable {
    private int[] blocks = new int[8];
    private long[] hashes = new long[8];
    private int size;
    private int hashed;

    public int size() {
        return size;
    }

    public int block(int i) {
        return blocks[i];
    }

    /** The block ids, valid up to {@link #size()} (the array may be longer); for the forward batch. */
    public int[] array() {
        return blocks;
    }

    /** How many leading blocks have a known hash (they are full). */
    int hashed() {
        return hashed;
    }

    long hash(int i) {
        return hashes[i];
    }

    void add(int block) {
        if (size == blocks.length) {
            blocks = Arrays.copyOf(blocks, size * 2);
            hashes = Arrays.copyOf(hashes, size * 2);
        }
        blocks[size++] = block;
    }

    void set(int i, int block) {
        blocks[i] = block;
    }

    /** Records the hash of block {@code hashed()}, which has just become full. */
    void addHash(long hash) {
        hashes[hashed++] = hash;
    }

    void copyFrom(BlockTable other) {
        blocks = other.blocks.clone();
        hashes = other.hashes.clone();
        size = other.size;
        hashed = other.hashed;
    }

    void clear() {
        size = 0;
        hashed = 0;
    }
}
