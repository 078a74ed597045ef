package io.scanflow.jobs.stream;

/**
 * Rows of the TSV files the commands write. A field is escaped as in PostgreSQL's text format and
 * {@code linear TSV} ({@code \\}, {@code \t}, {@code \n}, {@code \r}), so a value that holds a tab or
 * a line break (a parser's message quoting the input) stays one field of one row.
 */
public final class Tsv {
    private Tsv() {}

    /** One row: the fields escaped, joined by tabs, ended by a newline. */
    public static String row(Object... fields) {
        return join(fields) + "\n";
    }

    /** The fields escaped and joined by tabs, with no newline (a line of a string stream). */
    public static String join(Object... fields) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < fields.length; i++) {
            if (i > 0) {
                sb.append('\t');
            }
            sb.append(field(String.valueOf(fields[i])));
        }
        return sb.toString();
    }

    /** The value of an escaped field: {@link #field} undone. */
    public static String unescape(String field) {
        if (field.indexOf('\\') < 0) {
            return field;
        }
        StringBuilder sb = new StringBuilder(field.length());
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c != '\\' || i + 1 == field.length()) {
                sb.append(c);
                continue;
            }
            char next = field.charAt(++i);
            sb.append(switch (next) {
                case 't' -> '\t';
                case 'n' -> '\n';
                case 'r' -> '\r';
                default -> next;
            });
        }
        return sb.toString();
    }

    /** {@code value} with backslash, tab, line feed and carriage return escaped. */
    public static String field(String value) {
        StringBuilder sb = null;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            String escape = switch (c) {
                case '\\' -> "\\\\";
                case '\t' -> "\\t";
                case '\n' -> "\\n";
                case '\r' -> "\\r";
                default -> null;
            };
            if (escape != null && sb == null) {
                sb = new StringBuilder(value.length() + 8).append(value, 0, i);
            }
            if (sb != null) {
                if (escape != null) {
                    sb.append(escape);
                } else {
                    sb.append(c);
                }
            }
        }
        return sb == null ? value : sb.toString();
    }
}
