package io.github.miniwebvm.bootkit;

import java.io.IOException;

/** A boot kit could not be obtained or built; the message names what is missing and the fix. */
public final class BootKitException extends IOException {
    private static final long serialVersionUID = 1L;

    public BootKitException(String message) {
        super(message);
    }

    public BootKitException(String message, Throwable cause) {
        super(message, cause);
    }
}
