package io.scanflow.flink;

import io.scanflow.model.io.BadRecordPolicy;

/**
 * A rejected input record and why: which key, which field, which value. Sent to
 * {@link ScanOperators#BAD_RECORDS} when the policy is {@link BadRecordPolicy#SIDE_OUTPUT}.
 *
 * @param key    the record's key
 * @param field  the offending field, e.g. {@code tokens[3]}
 * @param value  the offending value as text
 * @param reason what was expected
 * @param record the record itself
 */
public record BadRecord(String key, String field, String value, String reason, ScanInput record) {

    /** One line naming key, field, value and reason: the text of the failure under {@link BadRecordPolicy#FAIL}. */
    public String describe() {
        return "bad record for key '" + key + "': " + field + " = " + value + ": " + reason;
    }
}
