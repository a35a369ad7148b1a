package com.salesaggregator.model;

/** The sales channel a line came from. */
public enum Channel {
    /** An order from {@code sales-online}. */
    ONLINE,
    /** A receipt line from {@code sales-store}. */
    STORE
}
