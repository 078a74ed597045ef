package io.scanflow.flink;

import java.io.Serializable;

/**
 * Classification with the model's trained head ({@code head.json} beside the backbone): each record's
 * chunk is pooled as the head says (mean or last hidden state) and the head gives the labels'
 * probabilities, one {@link HeadPrediction} per record. For the most likely next token instead, see
 * {@link ScanOperators#predictNextToken}.
 */
public final class HeadClassify implements Serializable {
    private static final long serialVersionUID = 1L;

    private HeadClassify() {}

    /** One prediction per record, from its chunk alone (the key's state carries on to the next chunk). */
    public static HeadClassify perRecord() {
        return new HeadClassify();
    }
}
