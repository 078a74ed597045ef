package io.scanflow.jobs.cli;

import picocli.CommandLine;

/** Reports the version Maven stamped into the jar manifest. */
final class VersionProvider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
        String v = ScanflowCommand.class.getPackage().getImplementationVersion();
        return new String[] {"scanflow " + (v == null ? "(development build)" : v),
                "Java " + System.getProperty("java.version")};
    }
}
