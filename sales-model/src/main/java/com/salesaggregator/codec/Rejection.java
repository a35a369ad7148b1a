package com.salesaggregator.codec;

import java.util.Objects;

/**
 * Why a record cannot be used: a reason code for machines and a message naming the field for
 * people.
 *
 * @param reason the reason code
 * @param message what is wrong, naming the offending field where there is one
 */
public record Rejection(RejectReason reason, String message) {

    public Rejection {
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(message, "message");
    }
}
