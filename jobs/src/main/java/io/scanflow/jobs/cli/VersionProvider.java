package io.scanflow.jobs.cli;

import picocli.CommandLine;

/** Reports the version Maven stamped into the jar manifest, and the Flink and Java it runs on. */
final class VersionProvider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
        String v = ScanflowCommand.class.getPackage().getImplementationVersion();
        return new String[] {"scanflow " + (v == null ? "(development build)" : v),
                "Flink " + flinkVersion(),
                "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + "), "
                        + System.getProperty("os.name") + " " + System.getProperty("os.arch")};
    }

    private static String flinkVersion() {
        try {
            return org.apache.flink.runtime.util.EnvironmentInformation.getVersion();
        } catch (LinkageError e) {
            return "not on the class path";
        }
    }
}
