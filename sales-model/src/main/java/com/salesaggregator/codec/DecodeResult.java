package com.salesaggregator.codec;

/**
 * The outcome of decoding one record: the event, or a {@link Rejection}. Decoding never throws on
 * bad input, so every record ends in exactly one of the two.
 *
 * @param <T> the event type
 */
public sealed interface DecodeResult<T> {

    /** A record that decoded into a valid event. */
    record Accepted<T>(T event) implements DecodeResult<T> {}

    /** A record that was rejected, with the reason. */
    record Rejected<T>(Rejection rejection) implements DecodeResult<T> {}

    static <T> DecodeResult<T> accepted(T event) {
        return new Accepted<>(event);
    }

    static <T> DecodeResult<T> rejected(RejectReason reason, String message) {
        return new Rejected<>(new Rejection(reason, message));
    }

    /** Whether the record decoded into a valid event. */
    default boolean isAccepted() {
        return this instanceof Accepted;
    }

    /** The event; throws if the record was rejected. */
    default T event() {
        if (this instanceof Accepted<T> accepted) {
            return accepted.event();
        }
        throw new IllegalStateException("rejected: " + rejection());
    }

    /** The rejection, or null if the record was accepted. */
    default Rejection rejection() {
        return this instanceof Rejected<T> rejected ? rejected.rejection() : null;
    }
}
