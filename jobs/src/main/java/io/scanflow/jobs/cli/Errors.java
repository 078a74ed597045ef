package io.scanflow.jobs.cli;

/** One-line error messages. */
final class Errors {
    private Errors() {}

    /** The message of the innermost cause: Flink wraps a task's exception in several layers. */
    static String rootMessage(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage();
        return message == null || message.isBlank() ? root.getClass().getSimpleName() : firstLine(message);
    }

    static String message(Throwable t) {
        String message = t.getMessage();
        return message == null || message.isBlank() ? rootMessage(t) : firstLine(message);
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
