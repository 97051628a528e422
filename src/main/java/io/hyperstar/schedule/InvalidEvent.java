package io.hyperstar.schedule;

/** An event that decoded but makes no sense (out-of-range values, mismatched key): it goes to the dead letters. */
final class InvalidEvent extends RuntimeException {
    InvalidEvent(String reason) {
        super(reason, null, false, false);
    }
}
