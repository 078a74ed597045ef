package io.scanflow.kernels.cuda;

import io.scanflow.kernels.Output;

/**
 * {@code prefill} on the device: the call's requests packed into passes ({@link PrefillPacker}), each pass's
 * tokens and request descriptors uploaded, the layers run over its rows, then its outputs taken
 * ({@link PrefillOutputs}); each request's state is carried in its slot from pass to pass.
 */
final class DevicePrefill implements AutoCloseable {
    private final Launcher l;
    private final DeviceSlots slots;
    private final DeviceLayers layers;
    private final PrefillOutputs outputs;
    private final PrefillPacker packer;
    private final DeviceBuffer tokens, descriptors;
    private final DeviceResources buffers = new DeviceResources();
    private final DeviceMixer.Pass pass;
    private final int chunk;
    private final int vocab;

    DevicePrefill(DeviceSlots slots, DeviceLayers layers, Launcher launcher, int maxRows, int chunkLength) {
        this.l = launcher;
        this.slots = slots;
        this.layers = layers;
        this.vocab = layers.vocab;
        this.chunk = Math.min(chunkLength, maxRows);
        this.packer = new PrefillPacker(maxRows, slots.capacity());
        this.pass = DeviceMixer.Pass.over(slots);
        try {
            tokens = buffers.ints(maxRows, "tokens");
            descriptors = buffers.ints(4L * slots.capacity(), "request descriptors");
            outputs = new PrefillOutputs(layers, launcher, slots.capacity());
            buffers.add(outputs::close);
        } catch (RuntimeException e) {
            buffers.close();
            throw e;
        }
    }

    void prefill(int[] slotIds, int[][] tok, Output output, float[][] out) {
        if (slotIds.length != tok.length) {
            throw new IllegalArgumentException(slotIds.length + " slots but " + tok.length + " token arrays");
        }
        int n = slotIds.length;
        slots.beginCall();
        for (int i = 0; i < n; i++) {
            slots.claim(slotIds[i], "prefill call");
            checkTokens(tok[i], 0, tok[i].length, "request " + i, vocab);
        }
        slots.flushResets();
        l.device.makeCurrent();
        outputs.begin(output, n);
        packer.start(slotIds, tok, chunk);
        while (packer.nextPass()) {
            int count = packer.count();
            tokens.write(packer.tokens(), 0, packer.rows(), 0);
            descriptors.write(packer.descriptors(), 0, 4 * count, 0);
            pass.reqRow = descriptors.at4(0);
            pass.reqLen = descriptors.at4(count);
            pass.reqSlot = descriptors.at4(2L * count);
            pass.requests = count;
            pass.maxLen = packer.maxLength();
            layers.prefill(tokens.address(), packer.rows(), pass);
            outputs.afterPass(output, out, packer, pass, descriptors.at4(3L * count));
            for (int q = 0; q < count; q++) {
                slots.advance(slotIds[packer.request(q)], packer.length(q));
            }
            packer.finishPass();
        }
        outputs.end(output, out, tok);
        l.sync("prefill");
    }

    /** Throws unless every token of {@code t[from, from + count)} is in [0, vocab); {@code what} names the input. */
    static void checkTokens(int[] t, int from, int count, String what, int vocab) {
        for (int i = from; i < from + count; i++) {
            if (t[i] < 0 || t[i] >= vocab) {
                throw new IllegalArgumentException("token " + t[i] + " at position " + i + " of " + what
                        + " is outside the vocabulary [0, " + vocab + ")");
            }
        }
    }

    @Override
    public void close() {
        buffers.close();
    }
}
