package com.salesaggregator.bench.sql;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.table.annotation.DataTypeHint;
import org.apache.flink.table.functions.AggregateFunction;
import org.apache.flink.table.functions.ScalarFunction;

/**
 * The Flink SQL peer: the job's five aggregates written with Flink SQL, the Kafka and Upsert Kafka
 * connectors and the JSON format, as a careful SQL user would.
 *
 * <ul>
 *   <li>Sales tables with event-time watermarks of the job's out-of-orderness (30 s); receipts
 *       unnested into lines; obviously invalid rows filtered out.
 *   <li>Upstream resends dropped with the deduplication pattern ({@code ROW_NUMBER() ... ORDER BY}
 *       processing time, first row kept), per order and per receipt.
 *   <li>Catalog and FX rates as versioned tables joined with event-time temporal joins, the record
 *       timestamp as version time: each line gets the version in force at its event time. FX rates
 *       are an Upsert Kafka table; the catalog is read as a log of changes (Kafka connector, raw
 *       value parsed with JSON_VALUE) made versioned by the deduplication pattern, because a
 *       delisting (a tombstone) must be a version of its own, a row flagged {@code delisted} from
 *       its record timestamp on: as a DELETE (Upsert Kafka) it would remove every version of the
 *       product, and the join would drop the lines sold before the delisting too.
 *   <li>Money rounded half-even to cents per line with a small scalar function (SQL's ROUND rounds
 *       half up), summed exactly as decimals.
 *   <li>Windows with the windowing table functions (TUMBLE, HOP), running totals as grouped
 *       aggregates into upsert sinks that buffer a second of updates per key (the job's emit
 *       interval); mini-batch and two-phase aggregation on.
 * </ul>
 */
public final class SalesSql {

    private SalesSql() {}

    /** Topic names and connection of one run. */
    public record Topics(
            String bootstrapServers,
            String groupId,
            String transactionalIdPrefix,
            String online,
            String store,
            String products,
            String fxRates,
            String revenuePerSeller,
            String unitsPerProduct,
            String revenuePerProduct,
            String salesPerRegion,
            String regionTrend) {}

    /** Half-even rounding to cents, the project's money rule. */
    public static final class HalfEvenCents extends ScalarFunction {
        public @DataTypeHint("DECIMAL(20, 2)") BigDecimal eval(
                @DataTypeHint("DECIMAL(38, 14)") BigDecimal amount) {
            return amount == null ? null : amount.setScale(2, RoundingMode.HALF_EVEN);
        }
    }

    /**
     * The value on the row with the latest event time: the catalog name in force for the latest
     * line. LAST_VALUE keeps the last row to arrive instead, and cannot merge the slices of hopping
     * windows.
     */
    public static final class LatestByTime extends AggregateFunction<String, LatestByTime.Acc> {

        /** The latest value and its time. */
        public static final class Acc {
            public String value;
            public long time = Long.MIN_VALUE;
        }

        @Override
        public Acc createAccumulator() {
            return new Acc();
        }

        @Override
        public String getValue(Acc acc) {
            return acc.value;
        }

        public void accumulate(
                Acc acc, String value, @DataTypeHint("TIMESTAMP_LTZ(3)") Instant time) {
            long t = time.toEpochMilli();
            if (t > acc.time) {
                acc.time = t;
                acc.value = value;
            }
        }

        public void merge(Acc acc, Iterable<Acc> others) {
            for (Acc other : others) {
                if (other.time > acc.time) {
                    acc.time = other.time;
                    acc.value = other.value;
                }
            }
        }
    }

    /** The DDL of the sources and sinks, then the views. */
    public static List<String> statements(Topics t) {
        List<String> sql = new ArrayList<>();
        String kafka =
                "'properties.bootstrap.servers' = '"
                        + t.bootstrapServers()
                        + "', 'properties.group.id' = '"
                        + t.groupId()
                        + "', 'properties.isolation.level' = 'read_committed',"
                        + " 'scan.startup.mode' = 'earliest-offset',"
                        + " 'scan.bounded.mode' = 'latest-offset'";
        sql.add(
                "CREATE TEMPORARY TABLE sales_online ("
                        + " order_id STRING, event_time TIMESTAMP_LTZ(3), seller_id STRING,"
                        + " customer_id STRING, product_id STRING, quantity INT,"
                        + " unit_price DECIMAL(13, 4), currency STRING, region STRING,"
                        + " proc AS PROCTIME(),"
                        + " WATERMARK FOR event_time AS event_time - INTERVAL '30' SECOND"
                        + ") WITH ('connector' = 'kafka', 'topic' = '"
                        + t.online()
                        + "', "
                        + kafka
                        + ", 'format' = 'json', 'json.timestamp-format.standard' = 'ISO-8601')");
        sql.add(
                "CREATE TEMPORARY TABLE sales_store ("
                        + " receipt_id STRING, event_time TIMESTAMP_LTZ(3), store_id STRING,"
                        + " seller_id STRING, region STRING, currency STRING,"
                        + " lines ARRAY<ROW<product_id STRING, quantity INT,"
                        + " unit_price DECIMAL(13, 4)>>,"
                        + " proc AS PROCTIME(),"
                        + " WATERMARK FOR event_time AS event_time - INTERVAL '30' SECOND"
                        + ") WITH ('connector' = 'kafka', 'topic' = '"
                        + t.store()
                        + "', "
                        + kafka
                        + ", 'format' = 'json', 'json.timestamp-format.standard' = 'ISO-8601')");
        String upsertSource =
                "'properties.bootstrap.servers' = '"
                        + t.bootstrapServers()
                        + "', 'properties.group.id' = '"
                        + t.groupId()
                        + "', 'properties.isolation.level' = 'read_committed',"
                        + " 'scan.bounded.mode' = 'latest-offset',"
                        + " 'key.format' = 'raw', 'value.format' = 'json',"
                        + " 'value.fields-include' = 'EXCEPT_KEY',"
                        + " 'value.json.timestamp-format.standard' = 'ISO-8601'";
        // The catalog as an append-only log of changes, value as raw text: a tombstone (null value)
        // is a delisting, a change like any other, from its record timestamp on. An Upsert Kafka
        // table would turn it into a DELETE of the key, and an event-time temporal join then drops
        // every version of the product, also the ones in force before the delisting.
        sql.add(
                "CREATE TEMPORARY TABLE product_changes ("
                        + " product_id STRING, doc STRING,"
                        + " version_time TIMESTAMP_LTZ(3) METADATA FROM 'timestamp' VIRTUAL,"
                        + " WATERMARK FOR version_time AS version_time - INTERVAL '30' SECOND"
                        + ") WITH ('connector' = 'kafka', 'topic' = '"
                        + t.products()
                        + "', "
                        + kafka
                        + ", 'key.format' = 'raw', 'key.fields' = 'product_id',"
                        + " 'value.format' = 'raw', 'value.fields-include' = 'EXCEPT_KEY')");
        sql.add(
                "CREATE TEMPORARY TABLE fx_rates ("
                        + " currency STRING, eur_per_unit DECIMAL(14, 10),"
                        + " version_time TIMESTAMP_LTZ(3) METADATA FROM 'timestamp' VIRTUAL,"
                        + " WATERMARK FOR version_time AS version_time - INTERVAL '30' SECOND,"
                        + " PRIMARY KEY (currency) NOT ENFORCED"
                        + ") WITH ('connector' = 'upsert-kafka', 'topic' = '"
                        + t.fxRates()
                        + "', "
                        + upsertSource
                        + ")");

        String sink =
                "'properties.bootstrap.servers' = '"
                        + t.bootstrapServers()
                        + "', 'sink.delivery-guarantee' = 'exactly-once',"
                        + " 'properties.transaction.timeout.ms' = '600000',"
                        + " 'properties.compression.type' = 'lz4', 'properties.linger.ms' = '10',"
                        + " 'key.format' = 'raw', 'value.format' = 'json',"
                        + " 'value.json.encode.decimal-as-plain-number' = 'true'";
        sql.add(
                windowSink(
                        "out_seller",
                        " seller_id STRING, window_start STRING, window_end STRING, orders"
                                + " BIGINT, units BIGINT, revenue_eur DECIMAL(38, 2)",
                        t.revenuePerSeller(),
                        t.transactionalIdPrefix(),
                        sink));
        sql.add(
                windowSink(
                        "out_product_5m",
                        " product_id STRING, name STRING, category STRING, window_start STRING,"
                                + " window_end STRING, units BIGINT",
                        t.unitsPerProduct(),
                        t.transactionalIdPrefix(),
                        sink));
        sql.add(
                windowSink(
                        "out_region_1m",
                        " region STRING, window_start STRING, window_end STRING, units BIGINT,"
                                + " revenue_eur DECIMAL(38, 2)",
                        t.regionTrend(),
                        t.transactionalIdPrefix(),
                        sink));
        String upsertSink =
                sink
                        + ", 'sink.buffer-flush.max-rows' = '10000',"
                        + " 'sink.buffer-flush.interval' = '1s'";
        sql.add(
                "CREATE TEMPORARY TABLE out_product_totals ("
                        + " product_id STRING, name STRING, units BIGINT,"
                        + " revenue_eur DECIMAL(38, 2), margin_eur DECIMAL(38, 2),"
                        + " PRIMARY KEY (product_id) NOT ENFORCED"
                        + ") WITH ('connector' = 'upsert-kafka', 'topic' = '"
                        + t.revenuePerProduct()
                        + "', 'sink.transactional-id-prefix' = '"
                        + t.transactionalIdPrefix()
                        + "-product-totals', "
                        + upsertSink
                        + ")");
        sql.add(
                "CREATE TEMPORARY TABLE out_region_totals ("
                        + " region STRING, units BIGINT, revenue_eur DECIMAL(38, 2),"
                        + " PRIMARY KEY (region) NOT ENFORCED"
                        + ") WITH ('connector' = 'upsert-kafka', 'topic' = '"
                        + t.salesPerRegion()
                        + "', 'sink.transactional-id-prefix' = '"
                        + t.transactionalIdPrefix()
                        + "-region-totals', "
                        + upsertSink
                        + ")");

        sql.add(
                "CREATE TEMPORARY SYSTEM FUNCTION HALF_EVEN_CENTS AS '"
                        + HalfEvenCents.class.getName()
                        + "'");
        sql.add(
                "CREATE TEMPORARY SYSTEM FUNCTION LATEST_BY_TIME AS '"
                        + LatestByTime.class.getName()
                        + "'");
        // A catalog version per change: its fields, or delisted. Reference heartbeats (keyed
        // __heartbeat-<partition>) move the watermark at the source and are no product.
        sql.add(
                "CREATE TEMPORARY VIEW catalog_changes AS SELECT product_id,"
                        + " JSON_VALUE(doc, '$.name') AS name,"
                        + " JSON_VALUE(doc, '$.category') AS category,"
                        + " CAST(JSON_VALUE(doc, '$.unit_cost_eur') AS DECIMAL(13, 4))"
                        + " AS unit_cost_eur,"
                        + " doc IS NULL AS delisted, version_time FROM product_changes"
                        + " WHERE product_id IS NOT NULL"
                        + " AND POSITION('__heartbeat-' IN product_id) <> 1");
        // The versioned view of the catalog (the documented pattern: the latest change per key by
        // event time), so the temporal join takes the version in force at a line's event time.
        sql.add(
                "CREATE TEMPORARY VIEW products AS SELECT product_id, name, category,"
                        + " unit_cost_eur, delisted, version_time FROM ("
                        + " SELECT *, ROW_NUMBER() OVER (PARTITION BY product_id"
                        + " ORDER BY version_time DESC) AS n FROM catalog_changes) WHERE n = 1");
        // First deliveries only: a resend repeats an order or receipt id. The deduplication
        // pattern must stand alone, its row number not selected, for the planner to recognise it
        // (an insert-only deduplication rather than an updating rank).
        sql.add(
                "CREATE TEMPORARY VIEW online_first AS SELECT order_id, event_time, seller_id,"
                        + " product_id, quantity, unit_price, currency, region FROM ("
                        + " SELECT *, ROW_NUMBER() OVER (PARTITION BY order_id ORDER BY proc)"
                        + " AS n FROM sales_online) WHERE n = 1");
        sql.add(
                "CREATE TEMPORARY VIEW store_first AS SELECT receipt_id, event_time, seller_id,"
                        + " region, currency, lines FROM ("
                        + " SELECT *, ROW_NUMBER() OVER (PARTITION BY receipt_id ORDER BY proc)"
                        + " AS n FROM sales_store) WHERE n = 1");
        sql.add(
                "CREATE TEMPORARY VIEW lines AS"
                        + " SELECT order_id, seller_id, region, product_id, quantity, unit_price,"
                        + " currency, event_time FROM online_first WHERE "
                        + valid("quantity", "unit_price")
                        + " UNION ALL"
                        + " SELECT r.receipt_id, r.seller_id, r.region, l.product_id, l.quantity,"
                        + " l.unit_price, r.currency, r.event_time FROM store_first AS r"
                        + " CROSS JOIN UNNEST(r.lines) AS l (product_id, quantity, unit_price)"
                        + " WHERE "
                        + valid("l.quantity", "l.unit_price"));
        // A line is priced when the version in force at its event time lists the product and its
        // currency has a rate then; otherwise its revenue is NULL and it is left out. The delisting
        // flag is tested inside the revenue expression on purpose: as a WHERE condition on the
        // catalog's columns alone, the planner pushes it below the temporal join into the
        // versioned table, which removes the delisting version, so the version before it would
        // price the lines sold after the delisting.
        sql.add(
                "CREATE TEMPORARY VIEW priced AS"
                        + " SELECT order_id, seller_id, region, product_id, name, category,"
                        + " quantity, event_time, revenue,"
                        + " HALF_EVEN_CENTS(revenue - CAST(quantity AS DECIMAL(7, 0))"
                        + "   * unit_cost_eur) AS margin"
                        + " FROM ("
                        + "  SELECT l.*, p.name, p.category, p.unit_cost_eur,"
                        + "  HALF_EVEN_CENTS(CAST(l.quantity AS DECIMAL(7, 0)) * l.unit_price"
                        + "   * CASE WHEN p.delisted THEN CAST(NULL AS DECIMAL(14, 10))"
                        + "     WHEN l.currency = 'EUR' THEN CAST(1 AS DECIMAL(14, 10))"
                        + "     ELSE r.eur_per_unit END) AS revenue"
                        + "  FROM lines AS l"
                        + "  JOIN products FOR SYSTEM_TIME AS OF l.event_time AS p"
                        + "   ON l.product_id = p.product_id"
                        + "  LEFT JOIN fx_rates FOR SYSTEM_TIME AS OF l.event_time AS r"
                        + "   ON l.currency = r.currency)"
                        + " WHERE revenue IS NOT NULL");
        return sql;
    }

    /** The five INSERTs, run as one statement set (one job). */
    public static List<String> inserts() {
        String iso = "DATE_FORMAT(%s, 'yyyy-MM-dd''T''HH:mm:ss''Z''')";
        String start = String.format(iso, "window_start");
        String end = String.format(iso, "window_end");
        return List.of(
                "INSERT INTO out_seller SELECT seller_id || '@' || "
                        + start
                        + ", seller_id, "
                        + start
                        + ", "
                        + end
                        + ", COUNT(DISTINCT order_id), CAST(SUM(quantity) AS BIGINT),"
                        + " SUM(revenue)"
                        + " FROM TABLE(TUMBLE(TABLE priced, DESCRIPTOR(event_time),"
                        + " INTERVAL '1' MINUTE))"
                        + " GROUP BY seller_id, window_start, window_end",
                "INSERT INTO out_product_5m SELECT product_id || '@' || "
                        + start
                        + ", product_id, LATEST_BY_TIME(name, event_time),"
                        + " LATEST_BY_TIME(category, event_time), "
                        + start
                        + ", "
                        + end
                        + ", CAST(SUM(quantity) AS BIGINT)"
                        + " FROM TABLE(HOP(TABLE priced, DESCRIPTOR(event_time),"
                        + " INTERVAL '1' MINUTE, INTERVAL '5' MINUTE))"
                        + " GROUP BY product_id, window_start, window_end",
                "INSERT INTO out_region_1m SELECT region || '@' || "
                        + start
                        + ", region, "
                        + start
                        + ", "
                        + end
                        + ", CAST(SUM(quantity) AS BIGINT), SUM(revenue)"
                        + " FROM TABLE(TUMBLE(TABLE priced, DESCRIPTOR(event_time),"
                        + " INTERVAL '1' MINUTE))"
                        + " GROUP BY region, window_start, window_end",
                "INSERT INTO out_product_totals SELECT product_id, LATEST_BY_TIME(name,"
                    + " event_time), CAST(SUM(quantity) AS BIGINT), SUM(revenue), SUM(margin) FROM"
                    + " priced GROUP BY product_id",
                "INSERT INTO out_region_totals SELECT region, CAST(SUM(quantity) AS BIGINT),"
                        + " SUM(revenue) FROM priced GROUP BY region");
    }

    private static String windowSink(
            String table, String columns, String topic, String txPrefix, String sink) {
        return "CREATE TEMPORARY TABLE "
                + table
                + " (k STRING,"
                + columns
                + ") WITH ('connector' = 'kafka', 'topic' = '"
                + topic
                + "', 'sink.transactional-id-prefix' = '"
                + txPrefix
                + "-"
                + table
                + "', 'key.fields' = 'k', 'value.fields-include' = 'EXCEPT_KEY', "
                + sink
                + ")";
    }

    /** What a careful user checks: present ids, a sane quantity and price, a currency code. */
    private static String valid(String quantity, String price) {
        return "seller_id IS NOT NULL AND seller_id <> '' AND region IS NOT NULL"
                + " AND region <> '' AND event_time IS NOT NULL"
                + " AND "
                + quantity
                + " BETWEEN 1 AND 1000000 AND "
                + price
                + " >= 0 AND REGEXP(currency, '^[A-Z]{3}$')";
    }
}
