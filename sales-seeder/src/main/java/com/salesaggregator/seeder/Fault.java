package com.salesaggregator.seeder;

import com.salesaggregator.codec.RejectReason;

/** A defect the seeder plants in a sale record on purpose, and the reason the job must give. */
public enum Fault {
    NOT_JSON(RejectReason.MALFORMED_JSON),
    TRUNCATED(RejectReason.MALFORMED_JSON),
    EMPTY_VALUE(RejectReason.EMPTY_VALUE),
    MISSING_SELLER(RejectReason.MISSING_FIELD),
    QUANTITY_AS_TEXT(RejectReason.WRONG_TYPE),
    NEGATIVE_QUANTITY(RejectReason.INVALID_QUANTITY),
    NEGATIVE_PRICE(RejectReason.INVALID_PRICE),
    BAD_CURRENCY(RejectReason.INVALID_CURRENCY),
    BAD_TIMESTAMP(RejectReason.INVALID_TIMESTAMP);

    /** Header naming the planned fault on a defective record (debugging and tests only). */
    public static final String HEADER = "seeder-fault";

    private final RejectReason expectedReason;

    Fault(RejectReason expectedReason) {
        this.expectedReason = expectedReason;
    }

    /** The reason code the codec gives a record with this fault. */
    public RejectReason expectedReason() {
        return expectedReason;
    }
}
