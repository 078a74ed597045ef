package io.scanflow.model.weights;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.util.Locale;

/** Strict JSON parsing shared by the header and index readers, plus wording for error messages. */
final class Json {

    /** Duplicate keys and trailing garbage are errors: both mean the file is not what it claims. */
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private Json() {
    }

    /**
     * Parses a whole JSON document.
     *
     * @param what how to refer to the document in a message, e.g. "header of FILE"
     */
    static JsonNode parse(byte[] bytes, String what) {
        try {
            JsonNode node = MAPPER.readTree(bytes);
            if (node == null || node.isMissingNode()) {
                throw new CheckpointException(what + ": expected a JSON object, found no JSON at all");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new CheckpointException(what + " is not valid JSON" + location(e.getLocation())
                    + ": " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new CheckpointException(what + " could not be parsed: " + e.getMessage(), e);
        }
    }

    private static String location(JsonLocation at) {
        if (at == null) {
            return "";
        }
        String offset = at.getByteOffset() >= 0 ? ", byte " + at.getByteOffset() : "";
        return " at line " + at.getLineNr() + ", column " + at.getColumnNr() + offset;
    }

    /** "a string \"F32\"", "an array [1,2]", ... for "found ..." parts of messages. */
    static String describe(JsonNode node) {
        if (node == null || node.isMissingNode()) {
            return "nothing";
        }
        String kind = switch (node.getNodeType()) {
            case ARRAY -> "an array";
            case OBJECT -> "an object";
            case STRING -> "a string";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case NULL -> "null";
            default -> node.getNodeType().name().toLowerCase(Locale.ROOT);
        };
        if (node.isNull()) {
            return kind;
        }
        String text = node.toString();
        return kind + " " + (text.length() > 60 ? text.substring(0, 57) + "..." : text);
    }
}
