package io.github.miniwebvm.testsupport;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.LifecycleMethodExecutionExceptionHandler;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;
import org.opentest4j.TestAbortedException;

/**
 * A test whose oracle (e2fsck, a loop device, podman, Chromium, …) is missing aborts through an
 * assumption. On a developer's machine that is a skip with a message; in CI it is a failure, so a
 * missing install step shows up red instead of as a green run that checked nothing.
 *
 * <p>CI is recognised by the {@code CI} environment variable ({@code .ci/run} exports it, as GitHub
 * Actions and most CI services do). Registered for every module's tests through
 * {@code META-INF/services} and {@code junit.jupiter.extensions.autodetection.enabled} in the
 * parent POM; jqwik properties call {@link #require} themselves.
 */
public final class MissingOracle implements TestExecutionExceptionHandler, LifecycleMethodExecutionExceptionHandler {

    /** True when the {@code CI} environment variable is set to anything but {@code false} or {@code 0}. */
    public static boolean inCi() {
        return inCi(System.getenv("CI"));
    }

    static boolean inCi(String value) {
        return value != null && !value.isBlank() && !value.equalsIgnoreCase("false") && !value.equals("0");
    }

    /**
     * Stops the current test because {@code what} is missing: a skip ({@link TestAbortedException})
     * outside CI, a failure in CI.
     */
    public static void require(boolean available, String what) {
        if (available) {
            return;
        }
        TestAbortedException skip = new TestAbortedException(what);
        if (inCi()) {
            throw failure(skip);
        }
        throw skip;
    }

    /**
     * For an extra check inside a test that has other assertions: true when the oracle is there;
     * false (the check is left out) outside CI; a failure in CI.
     */
    public static boolean present(boolean available, String what) {
        if (!available && inCi()) {
            throw failure(new TestAbortedException(what));
        }
        return available;
    }

    static AssertionError failure(TestAbortedException skip) {
        return new AssertionError("in CI a missing oracle is a failure, not a skip: " + skip.getMessage()
                + " (scripts/setup-host.sh installs what the tests use)", skip);
    }

    private static void rethrow(Throwable t) throws Throwable {
        if (t instanceof TestAbortedException skip && inCi()) {
            throw failure(skip);
        }
        throw t;
    }

    @Override
    public void handleTestExecutionException(ExtensionContext context, Throwable t) throws Throwable {
        rethrow(t);
    }

    @Override
    public void handleBeforeAllMethodExecutionException(ExtensionContext context, Throwable t) throws Throwable {
        rethrow(t);
    }

    @Override
    public void handleBeforeEachMethodExecutionException(ExtensionContext context, Throwable t) throws Throwable {
        rethrow(t);
    }

    @Override
    public void handleAfterEachMethodExecutionException(ExtensionContext context, Throwable t) throws Throwable {
        rethrow(t);
    }

    @Override
    public void handleAfterAllMethodExecutionException(ExtensionContext context, Throwable t) throws Throwable {
        rethrow(t);
    }
}
