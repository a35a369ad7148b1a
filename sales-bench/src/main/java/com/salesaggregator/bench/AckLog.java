package com.salesaggregator.bench;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The sale lines a latency run's feed got acknowledged, in a compact form: a long run at the job's
 * rate acknowledges tens of millions of lines, so each is a few primitive fields in fixed-size
 * chunks (about 26 bytes a line) with its seller, region and product as indexes of their names.
 * Appended by the producer's callback thread, read after the feed has stopped.
 */
final class AckLog {

    /** What a line is grouped by. */
    enum Dimension {
        SELLER,
        REGION,
        PRODUCT
    }

    private static final int CHUNK_BITS = 20;
    private static final int CHUNK = 1 << CHUNK_BITS;
    private static final int MASK = CHUNK - 1;

    private final List<long[]> ackedAt = new ArrayList<>();
    private final List<long[]> eventTime = new ArrayList<>();
    private final List<int[]> quantity = new ArrayList<>();
    private final List<short[][]> ids = new ArrayList<>();
    private final Map<String, Short> index = new HashMap<>();
    private final Map<String, Long> delistedAt = new HashMap<>();
    private int size;

    synchronized void add(
            long acked, long event, String seller, String region, String product, int units) {
        if ((size & MASK) == 0) {
            ackedAt.add(new long[CHUNK]);
            eventTime.add(new long[CHUNK]);
            quantity.add(new int[CHUNK]);
            ids.add(new short[Dimension.values().length][CHUNK]);
        }
        int chunk = size >>> CHUNK_BITS;
        int at = size & MASK;
        ackedAt.get(chunk)[at] = acked;
        eventTime.get(chunk)[at] = event;
        quantity.get(chunk)[at] = units;
        short[][] dims = ids.get(chunk);
        dims[Dimension.SELLER.ordinal()][at] = id(seller);
        dims[Dimension.REGION.ordinal()][at] = id(region);
        dims[Dimension.PRODUCT.ordinal()][at] = id(product);
        size++;
    }

    /** The product is delisted from {@code at} (event time) on. */
    synchronized void delisted(String product, long at) {
        delistedAt.merge(product, at, Math::min);
    }

    private short id(String name) {
        Short id = index.get(name);
        if (id == null) {
            if (index.size() == Short.MAX_VALUE) {
                throw new IllegalStateException("more than 32,767 sellers, regions and products");
            }
            id = (short) index.size();
            index.put(name, id);
        }
        return id;
    }

    synchronized int size() {
        return size;
    }

    long ackedAt(int i) {
        return ackedAt.get(i >>> CHUNK_BITS)[i & MASK];
    }

    long eventTime(int i) {
        return eventTime.get(i >>> CHUNK_BITS)[i & MASK];
    }

    int quantity(int i) {
        return quantity.get(i >>> CHUNK_BITS)[i & MASK];
    }

    short id(Dimension d, int i) {
        return ids.get(i >>> CHUNK_BITS)[d.ordinal()][i & MASK];
    }

    /** The index of a name, or -1 if no line had it. */
    synchronized short idOf(String name) {
        Short id = index.get(name);
        return id == null ? -1 : id;
    }

    /**
     * Per name index, when the product of that name was delisted ({@link Long#MAX_VALUE}: never). A
     * line of a product delisted at or before its event time is rejected by every contender.
     */
    synchronized long[] delistedAtById() {
        long[] at = new long[index.size()];
        java.util.Arrays.fill(at, Long.MAX_VALUE);
        delistedAt.forEach(
                (product, time) -> {
                    Short id = index.get(product);
                    if (id != null) {
                        at[id] = time;
                    }
                });
        return at;
    }
}
