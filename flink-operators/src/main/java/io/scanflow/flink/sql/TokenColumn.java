package io.scanflow.flink.sql;

import java.util.List;
import org.apache.flink.table.types.DataType;
import org.apache.flink.types.Row;

/**
 * Where the SQL function's input columns are in the rows of its table argument (rows come by position),
 * and reading them, with errors that name the row, the column and the element.
 */
final class TokenColumn {
    /** The input column with the chunk's token ids. */
    static final String TOKENS = "tokens";
    /** The optional input column that ends a partition's stream. */
    static final String END_OF_STREAM = "end_of_stream";

    private final int tokens;
    private final int endOfStream;
    private final int vocab;

    private TokenColumn(int tokens, int endOfStream, int vocab) {
        this.tokens = tokens;
        this.endOfStream = endOfStream;
        this.vocab = vocab;
    }

    /** The columns of a table of type {@code table} for a model of {@code vocab} tokens. */
    static TokenColumn of(DataType table, int vocab) {
        List<String> names = DataType.getFieldNames(table);
        int tokens = names.indexOf(TOKENS);
        if (tokens < 0) {
            throw new IllegalArgumentException("SCANFLOW_CLASSIFY: the input table has no column '" + TOKENS
                    + "' (ARRAY<INT>); its columns are " + names);
        }
        return new TokenColumn(tokens, names.indexOf(END_OF_STREAM), vocab);
    }

    /** The row's token ids, each in [0, vocab). */
    int[] tokens(Row row) {
        Object value = row.getField(tokens);
        if (value == null) {
            throw bad(row, TOKENS, "is null; each row needs a chunk of at least one token");
        }
        if (!(value instanceof Integer[] || value instanceof int[])) {
            throw bad(row, TOKENS, "is a " + value.getClass().getSimpleName() + ", not an ARRAY<INT>");
        }
        int length = value instanceof int[] ? ((int[]) value).length : ((Integer[]) value).length;
        if (length == 0) {
            throw bad(row, TOKENS, "is empty; each row needs a chunk of at least one token");
        }
        int[] ids = new int[length];
        for (int i = 0; i < length; i++) {
            Integer token = value instanceof int[] ? ((int[]) value)[i] : ((Integer[]) value)[i];
            if (token == null || token < 0 || token >= vocab) {
                throw bad(row, TOKENS + "[" + i + "]", "= " + token + " is outside the model's vocabulary [0, "
                        + vocab + ")");
            }
            ids[i] = token;
        }
        return ids;
    }

    /** Whether the row ends its partition's stream: false where the table has no such column or it is null. */
    boolean endsStream(Row row) {
        return endOfStream >= 0 && Boolean.TRUE.equals(row.getField(endOfStream));
    }

    private static IllegalArgumentException bad(Row row, String field, String problem) {
        return new IllegalArgumentException("SCANFLOW_CLASSIFY: row " + row + ": " + field + " " + problem);
    }
}
