package io.hyperstar.loadtest;

/**
 * A load-test client that runs on its own daemon thread: the harness starts it, checks it has not failed
 * ({@link #rethrow}) while it waits, and closes it. Subclasses write only their loop and what they close.
 */
abstract class BackgroundLoop implements AutoCloseable {

    private final String what;
    private final Thread thread;
    protected volatile boolean running = true;
    private volatile Throwable failure;

    BackgroundLoop(String threadName, String what) {
        this.what = what;
        this.thread = new Thread(() -> {
            try {
                loop();
            } catch (Throwable t) {
                failure = t;
            }
        }, threadName);
        thread.setDaemon(true);
    }

    /** Runs until {@link #running} turns false or the work is done; anything thrown fails the run. */
    protected abstract void loop() throws Exception;

    /** Closes the Kafka clients once the loop has stopped. */
    protected abstract void closeClients();

    final void start() {
        thread.start();
    }

    final void rethrow() {
        if (failure != null) {
            throw new IllegalStateException(what + " failed: " + failure, failure);
        }
    }

    @Override
    public final void close() throws InterruptedException {
        running = false;
        if (thread.isAlive()) {
            thread.join(10_000);
        }
        closeClients();
    }
}
