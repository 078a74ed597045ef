package io.scanflow.flink;

/** Which compute backend runs the model. */
public enum EngineChoice {
    /** The pure-Java engine. */
    CPU,
    /** A CUDA engine from the class path; fails when none is there. */
    CUDA,
    /** CUDA when a CUDA backend is on the class path and usable, else CPU (said once in the log). */
    AUTO
}
