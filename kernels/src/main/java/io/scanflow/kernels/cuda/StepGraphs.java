package io.scanflow.kernels.cuda;

import static io.scanflow.kernels.cuda.Cuda.check;

import java.util.LinkedHashMap;
import java.util.Map;
import jcuda.driver.CUgraph;
import jcuda.driver.CUgraphExec;
import jcuda.driver.CUstreamCaptureMode;
import jcuda.driver.JCudaDriver;

/**
 * Batched steps as CUDA graphs: the first step of a shape (slot count, output kind) is captured from the
 * engine's stream and instantiated, later ones replay it with one {@code cuGraphLaunch}. The
 * {@value #CAPACITY} shapes used last are kept.
 */
final class StepGraphs implements AutoCloseable {
    private static final int CAPACITY = 32;

    /** Enqueues everything a step of {@code count} slots with output {@code kind} does (the work captured). */
    interface StepWork {
        void enqueue(int count, int kind);
    }

    private final Launcher l;
    private final Map<Long, CUgraphExec> graphs = new LinkedHashMap<>(16, 0.75f, true);

    StepGraphs(Launcher launcher) {
        this.l = launcher;
    }

    /** Launches the graph of ({@code count}, {@code kind}), capturing {@code work} first if it is new. */
    void launch(int count, int kind, StepWork work) {
        long key = ((long) count << 3) | kind;
        CUgraphExec exec = graphs.get(key);
        if (exec == null) {
            exec = capture(count, kind, work);
            graphs.put(key, exec);
            if (graphs.size() > CAPACITY) {
                Map.Entry<Long, CUgraphExec> eldest = graphs.entrySet().iterator().next();
                check(JCudaDriver.cuGraphExecDestroy(eldest.getValue()), "cuGraphExecDestroy");
                graphs.remove(eldest.getKey());
            }
        }
        int r = JCudaDriver.cuGraphLaunch(exec, l.stream);
        if (r != 0) {
            throw new CudaException("cuGraphLaunch(step of " + count + " slots): " + Cuda.describe(r), r);
        }
    }

    private CUgraphExec capture(int count, int kind, StepWork work) {
        CUgraph graph = new CUgraph();
        check(JCudaDriver.cuStreamBeginCapture(l.stream, CUstreamCaptureMode.CU_STREAM_CAPTURE_MODE_THREAD_LOCAL),
                "cuStreamBeginCapture");
        l.setCapturing(true);
        RuntimeException failure = null;
        try {
            work.enqueue(count, kind);
        } catch (RuntimeException e) {
            failure = e;
        } finally {
            l.setCapturing(false);
            int r = JCudaDriver.cuStreamEndCapture(l.stream, graph);
            if (failure == null && r != 0) {
                failure = new CudaException("cuStreamEndCapture(step of " + count + " slots): " + Cuda.describe(r), r);
            }
        }
        if (failure != null) {
            throw failure;
        }
        CUgraphExec exec = new CUgraphExec();
        check(JCudaDriver.cuGraphInstantiate(exec, graph, 0), "cuGraphInstantiate(step of " + count + " slots)");
        check(JCudaDriver.cuGraphDestroy(graph), "cuGraphDestroy");
        return exec;
    }

    /** Destroys every graph. */
    @Override
    public void close() {
        for (CUgraphExec g : graphs.values()) {
            JCudaDriver.cuGraphExecDestroy(g);
        }
        graphs.clear();
    }
}
