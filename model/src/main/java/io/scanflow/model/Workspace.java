package io.scanflow.model;

/** Per-thread scratch buffers of a model, allocated once so prefill and step allocate nothing. */
public interface Workspace {
    /** Most tokens (prefill chunk length or step batch size) one call may process at once. */
    int maxRows();
}
