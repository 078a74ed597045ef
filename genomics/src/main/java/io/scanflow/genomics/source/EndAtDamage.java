package io.scanflow.genomics.source;

import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.ZipException;

/**
 * A decompressing stream that ends where its compressed data does (a truncated or corrupt gzip file)
 * and remembers why. A reader on top of it gets every byte inflated before the damage: with the
 * exception passing through, the readers' buffers drop the last few kilobytes that arrived with it.
 */
final class EndAtDamage extends FilterInputStream {
    private IOException damage;

    EndAtDamage(InputStream in) {
        super(in);
    }

    /** Why the data ended early, or null if it has not. */
    IOException damage() {
        return damage;
    }

    @Override
    public int read() throws IOException {
        if (damage != null) {
            return -1;
        }
        try {
            return super.read();
        } catch (EOFException | ZipException e) {
            damage = e;
            return -1;
        }
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (damage != null) {
            return -1;
        }
        try {
            return super.read(b, off, len);
        } catch (EOFException | ZipException e) {
            damage = e;
            return -1;
        }
    }

    @Override
    public int available() throws IOException {
        return damage != null ? 0 : super.available();
    }
}
