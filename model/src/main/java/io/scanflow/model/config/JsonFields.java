package io.scanflow.model.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;

/** Typed, defaulted access to one JSON object of a config file; every error names the file and field. */
final class JsonFields {
    private final Path file;
    private final JsonNode node;
    private final String prefix;

    JsonFields(Path file, JsonNode node) {
        this(file, node, "");
    }

    private JsonFields(Path file, JsonNode node, String prefix) {
        this.file = file;
        this.node = node;
        this.prefix = prefix;
    }

    Path file() {
        return file;
    }

    boolean has(String field) {
        return node.has(field);
    }

    JsonNode node(String field) {
        return node.get(field);
    }

    JsonFields object(String field) {
        JsonNode child = node.get(field);
        if (child == null || child.isNull()) {
            return new JsonFields(file, com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode(), prefix + field + ".");
        }
        if (!child.isObject()) {
            throw error(field, "expected an object, found " + child);
        }
        return new JsonFields(file, child, prefix + field + ".");
    }

    int requiredInt(String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            throw error(field, "missing");
        }
        return toInt(field, v);
    }

    int integer(String field, int fallback) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? fallback : toInt(field, v);
    }

    /** A low rank given as an integer or as {@code "auto"}, which both origins define as ceil(d / 16). */
    int rank(String field, int hidden) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull() || (v.isTextual() && v.asText().equals("auto"))) {
            return (hidden + 15) / 16;
        }
        return toInt(field, v);
    }

    double decimal(String field, double fallback) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? fallback : toDouble(field, v);
    }

    boolean bool(String field, boolean fallback) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (!v.isBoolean()) {
            throw error(field, "expected true or false, found " + v);
        }
        return v.booleanValue();
    }

    String string(String field, String fallback) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (!v.isTextual()) {
            throw error(field, "expected a string, found " + v);
        }
        return v.textValue();
    }

    /** A [min, max] pair; absent means [0, +inf]. Recent transformers writes infinity as {"__float__": "Infinity"}. */
    float[] limit(String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return new float[] {0f, Float.POSITIVE_INFINITY};
        }
        if (!v.isArray() || v.size() != 2) {
            throw error(field, "expected [min, max], found " + v);
        }
        return new float[] {(float) toDouble(field, v.get(0)), (float) toDouble(field, v.get(1))};
    }

    private int toInt(String field, JsonNode v) {
        if (v.isIntegralNumber() && v.canConvertToInt()) {
            return v.intValue();
        }
        if (v.isNumber() && v.doubleValue() == Math.rint(v.doubleValue())
                && Math.abs(v.doubleValue()) <= Integer.MAX_VALUE) {
            return (int) v.doubleValue();
        }
        throw error(field, "expected an integer" + (v.isNumber() ? " of at most " + Integer.MAX_VALUE : "") + ", found " + v);
    }

    private double toDouble(String field, JsonNode v) {
        if (v.isNumber()) {
            return v.doubleValue();
        }
        JsonNode text = v.isObject() ? v.get("__float__") : v;
        if (text != null && text.isTextual()) {
            switch (text.textValue().toLowerCase(java.util.Locale.ROOT)) {
                case "infinity":
                case "inf":
                    return Double.POSITIVE_INFINITY;
                case "-infinity":
                case "-inf":
                    return Double.NEGATIVE_INFINITY;
                case "nan":
                    return Double.NaN;
                default:
                    try {
                        return Double.parseDouble(text.textValue());
                    } catch (NumberFormatException e) {
                        // fall through to the error below
                    }
            }
        }
        throw error(field, "expected a number, found " + v);
    }

    private ConfigException error(String field, String problem) {
        return new ConfigException(file, prefix + field, problem);
    }
}
