package io.scanflow.kernels.cuda;

import static io.scanflow.kernels.cuda.Launcher.args;
import static io.scanflow.kernels.cuda.Launcher.ceilDiv;

import io.scanflow.kernels.Output;

/**
 * Takes a prefill's {@link Output} from the device after each pass: logits of every row, the last row's
 * hidden state or logits of the requests that end in the pass (gathered by row index), or the running sums
 * of the final hidden states for the mean, divided out at the end of the call.
 */
final class PrefillOutputs implements AutoCloseable {
    private final Launcher l;
    private final DeviceLayers layers;
    private final int d, v;
    private final DeviceBuffer lastHidden, rowIndex, meanSums;
    private final DeviceResources buffers = new DeviceResources();
    /** Host scratch: the requests ending in a pass and their last rows. */
    private final int[] finishing, lastRows;

    PrefillOutputs(DeviceLayers layers, Launcher launcher, int maxSlots) {
        this.l = launcher;
        this.layers = layers;
        this.d = layers.hidden;
        this.v = layers.vocab;
        try {
            rowIndex = buffers.ints(maxSlots, "row index");
            lastHidden = buffers.floats((long) maxSlots * d, "last hidden");
            meanSums = buffers.bytes(8L * maxSlots * d, "mean accumulators");
        } catch (RuntimeException e) {
            buffers.close();
            throw e;
        }
        finishing = new int[maxSlots];
        lastRows = new int[maxSlots];
    }

    /** Before a call's first pass: zeroes the mean sums of {@code requests} requests. */
    void begin(Output output, int requests) {
        if (output == Output.MEAN_HIDDEN) {
            meanSums.fill(0, 2L * requests * d, 0);
        }
    }

    /** After a pass's layers, before {@code packer.finishPass}: this pass's share of {@code out}. */
    void afterPass(Output output, float[][] out, PrefillPacker packer, DeviceMixer.Pass pass, long requestIndex) {
        int rows = packer.rows();
        int count = packer.count();
        switch (output) {
            case ALL_LOGITS:
                layers.finalNorm(0L, layers.normed.address(), rows);
                for (int b0 = 0; b0 < rows; b0 += layers.logitRows) {
                    int br = Math.min(layers.logitRows, rows - b0);
                    layers.head(layers.normed.at4((long) b0 * d), br);
                    l.sync("prefill logits");
                    for (int q = 0; q < count; q++) {
                        int from = Math.max(b0, packer.start(q));
                        int to = Math.min(b0 + br, packer.start(q) + packer.length(q));
                        if (from < to) {
                            int i = packer.request(q);
                            int pos = packer.done(i) + (from - packer.start(q));
                            layers.logits.read((long) (from - b0) * v, out[i], pos * v, (to - from) * v);
                        }
                    }
                }
                break;
            case LAST_LOGITS:
            case LAST_HIDDEN:
                lastRows(output, out, packer);
                break;
            case MEAN_HIDDEN:
                layers.finalNorm(0L, layers.normed.address(), rows);
                l.launch("mean_accumulate", ceilDiv(d, 128), count, 1, 128, 0,
                        args().ptr(layers.normed.address()).i(d).ptr(pass.reqRow).ptr(pass.reqLen).ptr(requestIndex)
                                .ptr(meanSums.address()));
                break;
            default:
                break;
        }
    }

    /** The last row's hidden state or logits of each request that ends in this pass. */
    private void lastRows(Output output, float[][] out, PrefillPacker packer) {
        int k = 0;
        for (int q = 0; q < packer.count(); q++) {
            if (packer.finishes(q)) {
                finishing[k] = packer.request(q);
                lastRows[k] = packer.start(q) + packer.length(q) - 1;
                k++;
            }
        }
        if (k == 0) {
            return;
        }
        rowIndex.write(lastRows, 0, k, 0);
        layers.finalNorm(rowIndex.address(), lastHidden.address(), k);
        if (output == Output.LAST_HIDDEN) {
            l.sync("prefill");
            for (int j = 0; j < k; j++) {
                lastHidden.read((long) j * d, out[finishing[j]], 0, d);
            }
            return;
        }
        for (int b0 = 0; b0 < k; b0 += layers.logitRows) {
            int br = Math.min(layers.logitRows, k - b0);
            layers.head(lastHidden.at4((long) b0 * d), br);
            l.sync("prefill logits");
            for (int j = 0; j < br; j++) {
                layers.logits.read((long) j * v, out[finishing[b0 + j]], 0, v);
            }
        }
    }

    /** After a call's last pass: the means of {@code tok.length} requests into {@code out} (MEAN_HIDDEN only). */
    void end(Output output, float[][] out, int[][] tok) {
        int n = tok.length;
        if (output != Output.MEAN_HIDDEN || n == 0) {
            return;
        }
        l.sync("prefill");
        double[] acc = new double[n * d];
        meanSums.read(0, acc, 0, n * d);
        for (int i = 0; i < n; i++) {
            int len = tok[i].length;
            if (len > 0) {
                for (int j = 0; j < d; j++) {
                    out[i][j] = (float) (acc[i * d + j] / len);
                }
            }
        }
    }

    @Override
    public void close() {
        buffers.close();
    }
}
