package io.scanflow.flink;

/**
 * Canonical text of an output, floats as their exact bits, so two runs compare byte for byte
 * (records holding arrays do not compare by value).
 */
public final class Render {
    private Render() {}

    public static String line(Object o) {
        if (o instanceof Prediction p) {
            return "P " + p.key() + " " + p.position() + " " + p.label() + " " + bits(p.probability()) + " "
                    + floats(p.logits()) + " " + p.eventTime() + " " + p.trigger();
        }
        if (o instanceof Embedding e) {
            return "E " + e.key() + " " + e.position() + " " + floats(e.vector()) + " " + e.eventTime();
        }
        if (o instanceof GeneratedToken g) {
            return "G " + g.key() + " " + g.session() + " " + g.index() + " " + g.position() + " " + g.token() + " "
                    + g.eventTime() + " " + g.last();
        }
        if (o instanceof BadRecord b) {
            return "B " + b.key() + " " + b.field() + " " + b.value() + " " + b.reason();
        }
        throw new IllegalArgumentException("not an output: " + o);
    }

    /** The key an output line belongs to. */
    public static String keyOf(String line) {
        return line.split(" ", 3)[1];
    }

    private static String floats(float[] v) {
        if (v == null) {
            return "-";
        }
        StringBuilder sb = new StringBuilder();
        for (float f : v) {
            sb.append(bits(f)).append(',');
        }
        return sb.toString();
    }

    private static String bits(float f) {
        return Integer.toHexString(Float.floatToRawIntBits(f));
    }
}
