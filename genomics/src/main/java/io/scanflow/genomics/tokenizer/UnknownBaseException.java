package io.scanflow.genomics.tokenizer;

/** A character that is not a nucleotide code; carries its position so callers can name the field. */
public final class UnknownBaseException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    private final int position;
    private final char character;

    /** An unknown {@code character} at 0-based {@code position}. */
    public UnknownBaseException(int position, char character) {
        super("unknown character " + describe(character) + " at position " + (position + 1)
                + " (expected A, C, G, T, N or another IUPAC nucleotide code)");
        this.position = position;
        this.character = character;
    }

    /** 0-based position in the sequence. */
    public int position() {
        return position;
    }

    /** The character that is not a nucleotide code. */
    public char character() {
        return character;
    }

    private static String describe(char c) {
        return c >= 0x21 && c < 0x7f ? "'" + c + "'" : String.format("U+%04X", (int) c);
    }
}
