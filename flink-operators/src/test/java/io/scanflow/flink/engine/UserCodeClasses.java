package io.scanflow.flink.engine;

import java.lang.management.ManagementFactory;
import javax.management.ObjectName;

/**
 * Classes held by Flink user-code class loaders in this JVM, from the JVM's own class loader statistics
 * (the {@code VM.classloader_stats} diagnostic command, as {@code jcmd} runs it). A job jar's classes are
 * defined by its job's {@code ChildFirstClassLoader}; once the job is over and nothing holds that loader,
 * a full collection unloads them.
 */
final class UserCodeClasses {
    private static final String USER_CODE_LOADER = "ChildFirstClassLoader";

    private UserCodeClasses() {}

    /** Live user-code class loaders and the classes they hold. */
    record Count(int loaders, long classes) {
        @Override
        public String toString() {
            return loaders + " user-code class loaders holding " + classes + " classes";
        }
    }

    /** After a full collection (class unloading included), the live user-code class loaders and their classes. */
    static Count afterGc() throws Exception {
        fullGc();
        int loaders = 0;
        long classes = 0;
        for (String line : stats().split("\n")) {
            if (line.contains(USER_CODE_LOADER)) {
                loaders++;
                classes += classCount(line);
            }
        }
        return new Count(loaders, classes);
    }

    /** Twice: objects with a cleaner (a closed jar file of the loader) free their referents in the second. */
    @SuppressWarnings("removal")
    private static void fullGc() {
        System.gc();
        System.runFinalization();
        System.gc();
    }

    private static String stats() throws Exception {
        Object out = ManagementFactory.getPlatformMBeanServer().invoke(
                new ObjectName("com.sun.management:type=DiagnosticCommand"), "vmClassloaderStats",
                new Object[] {new String[0]}, new String[] {String[].class.getName()});
        return (String) out;
    }

    /**
     * A row is {@code loader parent CLD* classes chunk-size block-size type}; an address column may read
     * {@code <boot class loader>} style words, so the classes are the first number after three columns.
     */
    private static long classCount(String line) {
        String[] columns = line.trim().split("\\s+");
        return Long.parseLong(columns[3]);
    }
}
