package com.salesaggregator.bench.streams;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.kafka.common.serialization.Serde;

/** The records of the Kafka Streams peer and their serdes. */
final class PeerRecords {

    private PeerRecords() {}

    /** A decoded sale line and the input record it came from. */
    record Line(
            String channel,
            String orderId,
            String sellerId,
            String region,
            String productId,
            int quantity,
            BigDecimal unitPrice,
            String currency,
            long eventTime,
            int partition,
            long offset) {}

    /** A counted line, priced in EUR cents. */
    record Priced(
            String orderId,
            String sellerId,
            String region,
            String productId,
            String name,
            String category,
            int quantity,
            long revenueCents,
            long marginCents,
            long eventTime) {}

    /** Where a sale was first delivered, and when (wall clock) it was seen, for the horizon. */
    record FirstDelivery(int partition, long offset, long seenAt) {}

    /** A catalog version in force from {@code validFrom}, or a delisting. */
    record CatalogVersion(
            long validFrom, String name, String category, BigDecimal unitCost, boolean delisted) {}

    /** An exchange rate in force from {@code validFrom}. */
    record RateVersion(long validFrom, BigDecimal eurPerUnit) {}

    /** Running figures of a seller-minute. */
    static final class SellerAcc {
        final Set<String> orders = new HashSet<>();
        long units;
        long revenueCents;
    }

    /** Running units of a product window, with the name of its latest line. */
    static final class UnitsAcc {
        long units;
        String name;
        String category;
        long latest = Long.MIN_VALUE;
    }

    /** Running totals of a product or region (and a region-minute). */
    static final class Totals {
        String name;
        long latest = Long.MIN_VALUE;
        long units;
        long revenueCents;
        long marginCents;
    }

    static final Serde<Line> LINE =
            PeerSerde.of(
                    (v, out) -> {
                        out.writeUTF(v.channel());
                        out.writeUTF(v.orderId());
                        out.writeUTF(v.sellerId());
                        out.writeUTF(v.region());
                        out.writeUTF(v.productId());
                        out.writeInt(v.quantity());
                        PeerSerde.writeDecimal(v.unitPrice(), out);
                        out.writeUTF(v.currency());
                        out.writeLong(v.eventTime());
                        out.writeInt(v.partition());
                        out.writeLong(v.offset());
                    },
                    in ->
                            new Line(
                                    in.readUTF(),
                                    in.readUTF(),
                                    in.readUTF(),
                                    in.readUTF(),
                                    in.readUTF(),
                                    in.readInt(),
                                    PeerSerde.readDecimal(in),
                                    in.readUTF(),
                                    in.readLong(),
                                    in.readInt(),
                                    in.readLong()));

    static final Serde<Priced> PRICED =
            PeerSerde.of(
                    (v, out) -> {
                        out.writeUTF(v.orderId());
                        out.writeUTF(v.sellerId());
                        out.writeUTF(v.region());
                        out.writeUTF(v.productId());
                        out.writeUTF(v.name());
                        out.writeUTF(v.category());
                        out.writeInt(v.quantity());
                        out.writeLong(v.revenueCents());
                        out.writeLong(v.marginCents());
                        out.writeLong(v.eventTime());
                    },
                    in ->
                            new Priced(
                                    in.readUTF(),
                                    in.readUTF(),
                                    in.readUTF(),
                                    in.readUTF(),
                                    in.readUTF(),
                                    in.readUTF(),
                                    in.readInt(),
                                    in.readLong(),
                                    in.readLong(),
                                    in.readLong()));

    static final Serde<FirstDelivery> FIRST_DELIVERY =
            PeerSerde.of(
                    (v, out) -> {
                        out.writeInt(v.partition());
                        out.writeLong(v.offset());
                        out.writeLong(v.seenAt());
                    },
                    in -> new FirstDelivery(in.readInt(), in.readLong(), in.readLong()));

    static final Serde<List<CatalogVersion>> CATALOG_HISTORY =
            PeerSerde.of(
                    (v, out) -> {
                        out.writeInt(v.size());
                        for (CatalogVersion c : v) {
                            out.writeLong(c.validFrom());
                            out.writeBoolean(c.delisted());
                            if (!c.delisted()) {
                                out.writeUTF(c.name());
                                out.writeUTF(c.category());
                                PeerSerde.writeDecimal(c.unitCost(), out);
                            }
                        }
                    },
                    in -> {
                        int n = in.readInt();
                        List<CatalogVersion> list = new ArrayList<>(n);
                        for (int i = 0; i < n; i++) {
                            long from = in.readLong();
                            list.add(
                                    in.readBoolean()
                                            ? new CatalogVersion(from, null, null, null, true)
                                            : new CatalogVersion(
                                                    from,
                                                    in.readUTF(),
                                                    in.readUTF(),
                                                    PeerSerde.readDecimal(in),
                                                    false));
                        }
                        return list;
                    });

    static final Serde<List<RateVersion>> RATE_HISTORY =
            PeerSerde.of(
                    (v, out) -> {
                        out.writeInt(v.size());
                        for (RateVersion r : v) {
                            out.writeLong(r.validFrom());
                            PeerSerde.writeDecimal(r.eurPerUnit(), out);
                        }
                    },
                    in -> {
                        int n = in.readInt();
                        List<RateVersion> list = new ArrayList<>(n);
                        for (int i = 0; i < n; i++) {
                            list.add(new RateVersion(in.readLong(), PeerSerde.readDecimal(in)));
                        }
                        return list;
                    });

    static final Serde<SellerAcc> SELLER_ACC =
            PeerSerde.of(
                    (v, out) -> {
                        out.writeInt(v.orders.size());
                        for (String o : v.orders) {
                            out.writeUTF(o);
                        }
                        out.writeLong(v.units);
                        out.writeLong(v.revenueCents);
                    },
                    in -> {
                        SellerAcc acc = new SellerAcc();
                        int n = in.readInt();
                        for (int i = 0; i < n; i++) {
                            acc.orders.add(in.readUTF());
                        }
                        acc.units = in.readLong();
                        acc.revenueCents = in.readLong();
                        return acc;
                    });

    static final Serde<UnitsAcc> UNITS_ACC =
            PeerSerde.of(
                    (v, out) -> {
                        out.writeLong(v.units);
                        PeerSerde.writeNullable(v.name, out);
                        PeerSerde.writeNullable(v.category, out);
                        out.writeLong(v.latest);
                    },
                    in -> {
                        UnitsAcc acc = new UnitsAcc();
                        acc.units = in.readLong();
                        acc.name = PeerSerde.readNullable(in);
                        acc.category = PeerSerde.readNullable(in);
                        acc.latest = in.readLong();
                        return acc;
                    });

    static final Serde<Totals> TOTALS =
            PeerSerde.of(
                    (v, out) -> {
                        PeerSerde.writeNullable(v.name, out);
                        out.writeLong(v.latest);
                        out.writeLong(v.units);
                        out.writeLong(v.revenueCents);
                        out.writeLong(v.marginCents);
                    },
                    in -> {
                        Totals t = new Totals();
                        t.name = PeerSerde.readNullable(in);
                        t.latest = in.readLong();
                        t.units = in.readLong();
                        t.revenueCents = in.readLong();
                        t.marginCents = in.readLong();
                        return t;
                    });
}
