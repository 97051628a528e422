package io.hyperstar.catalog;

import java.io.IOException;

/** A dataset on disk that cannot be used as it is (corrupt, truncated, inconsistent); the message says where and why. */
public class DatasetException extends IOException {

    public DatasetException(String message) {
        super(message);
    }

    public DatasetException(String message, Throwable cause) {
        super(message, cause);
    }
}
