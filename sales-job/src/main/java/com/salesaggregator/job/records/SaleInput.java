package com.salesaggregator.job.records;

import com.salesaggregator.model.SaleLine;
import com.salesaggregator.output.DeadLetter;

/**
 * What the sales sources emit: a sale line, or a dead letter for a record that could not be
 * decoded. Exactly one field is set.
 */
public record SaleInput(SaleLine line, DeadLetter rejected) {

    public static SaleInput of(SaleLine line) {
        return new SaleInput(line, null);
    }

    public static SaleInput rejected(DeadLetter deadLetter) {
        return new SaleInput(null, deadLetter);
    }
}
