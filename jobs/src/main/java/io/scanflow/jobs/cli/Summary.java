package io.scanflow.jobs.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/** The short table a job prints when it ends: what went in, what came out, how fast, on what. */
final class Summary {
    private final String title;
    private final List<String[]> rows = new ArrayList<>();

    Summary(String title) {
        this.title = title;
    }

    Summary row(String name, String value) {
        rows.add(new String[] {name, value});
        return this;
    }

    void print(PrintWriter out) {
        int width = 0;
        for (String[] r : rows) {
            width = Math.max(width, r[0].length());
        }
        out.println(title);
        for (String[] r : rows) {
            out.printf("  %-" + width + "s  %s%n", r[0], r[1]);
        }
        out.flush();
    }

    /** {@code n} per second over {@code seconds}, to three significant figures. */
    static String rate(long n, double seconds) {
        if (seconds <= 0) {
            return "-";
        }
        double r = n / seconds;
        return r >= 100 ? String.format("%,.0f", r) : r >= 10 ? String.format("%.1f", r) : String.format("%.2f", r);
    }
}
