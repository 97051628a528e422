package io.hyperstar.loadtest;

import java.util.Locale;
import java.util.function.LongSupplier;

/** The benchmark's one time limit for every wait, and the progress line shown while a phase runs. */
final class RunClock {

    private final long deadlineNanos;
    private final long limitSeconds;

    RunClock(long limitSeconds) {
        this.limitSeconds = limitSeconds;
        this.deadlineNanos = System.nanoTime() + limitSeconds * 1_000_000_000L;
    }

    /** Throws once the run has used its time; {@code what} says what it was waiting for. */
    void check(String what) {
        if (System.nanoTime() > deadlineNanos) {
            throw new Aborted("aborted: the run passed its " + limitSeconds + " s limit while " + what
                    + " (raise it with --timeout-s, or lower --experiments)");
        }
    }

    /**
     * Waits until {@code done} reaches {@code total}, printing a progress line every few seconds; {@code started}
     * is the nanoTime the phase's first event was produced (0 until then).
     */
    void await(String phase, String unit, long total, LongSupplier done, LongSupplier started, Runnable healthCheck)
            throws InterruptedException {
        long nextLine = System.nanoTime();
        while (done.getAsLong() < total) {
            healthCheck.run();
            check(phase + " had " + done.getAsLong() + "/" + total + " " + unit);
            long now = System.nanoTime();
            if (now >= nextLine) {
                long n = done.getAsLong();
                long t0 = started.getAsLong();
                double secs = t0 == 0 ? 0 : (now - t0) / 1e9;
                double rate = secs > 0 ? n / secs : 0;
                String eta = rate > 0 ? String.format(Locale.ROOT, "%.0f s", (total - n) / rate) : "?";
                System.out.printf(Locale.ROOT, "[%s] %,d/%,d %s, %,.0f/s, ETA %s%n", phase, n, total, unit, rate, eta);
                nextLine = now + 3_000_000_000L;
            }
            Thread.sleep(20);
        }
    }

    static final class Aborted extends RuntimeException {
        Aborted(String message) {
            super(message);
        }
    }
}
