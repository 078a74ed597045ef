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
        return message == null || message.isBlank() ? root.getClass().getSimpleName() : oneLine(message);
    }

    static String message(Throwable t) {
        String message = t.getMessage();
        return message == null || message.isBlank() ? rootMessage(t) : oneLine(message);
    }

    /** One line: a message that spans lines (a parser's, with the offending text) is joined, not cut. */
    private static String oneLine(String s) {
        return s.strip().replaceAll("\\s*\\R\\s*", " ");
    }
}
