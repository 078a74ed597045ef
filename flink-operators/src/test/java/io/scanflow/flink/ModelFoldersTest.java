package io.scanflow.flink;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.flink.util.InstantiationUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Models named by URI: fetched once into the local cache, again when they change, and on every TaskManager. */
class ModelFoldersTest {
    private static final Path MODEL = Path.of(System.getProperty("scanflow.testdata", "../testdata"), "models", "mamba1-tied");

    @TempDir
    Path remote;

    private final List<Path> fetched = new java.util.ArrayList<>();

    @AfterEach
    void removeFetchedCopies() throws IOException {
        for (Path p : fetched) {
            ModelFolders.deleteTree(p);
        }
    }

    @Test
    void localPathsAndFileUrisAreUsedInPlace() {
        assertEquals(MODEL, ModelFolders.local(MODEL.toString()));
        Path absolute = MODEL.toAbsolutePath().normalize();
        assertEquals(absolute, ModelFolders.local(absolute.toUri().toString()));
        assertFalse(ModelFolders.sourceOf(absolute).isPresent());
    }

    @Test
    void aRemoteFolderIsCopiedOnceWithItsSubfolders() throws IOException {
        Path folder = copyOfModel("dna model");
        String uri = uri(folder);
        Path copy = fetch(uri);
        assertTrue(copy.startsWith(ModelFolders.cacheRoot().toAbsolutePath().normalize()), copy.toString());
        assertSameTree(folder, copy);
        assertEquals(copy, fetch(uri), "a second use takes the cached copy");
        assertEquals(uri, ModelFolders.sourceOf(copy).orElseThrow());
    }

    @Test
    void aModelReplacedUnderTheSameUriIsFetchedAgain() throws IOException {
        Path folder = copyOfModel("m");
        String uri = uri(folder);
        Path first = fetch(uri);
        Files.writeString(folder.resolve("config.json"), Files.readString(folder.resolve("config.json")) + "\n");
        Path second = fetch(uri);
        assertNotEquals(first, second);
        assertSameTree(folder, second);
    }

    @Test
    void aSpecBuiltFromTheCopyFetchesItAgainWhereTheCopyIsMissing() throws Exception {
        String uri = uri(copyOfModel("m"));
        Path copy = fetch(uri);
        ModelSpec spec = ModelSpec.of(copy).withEngine(EngineChoice.CPU);
        assertTrue(spec.toString().contains(uri), spec.toString());
        // A TaskManager on another host: the spec arrives serialized, and this host has no copy yet.
        ModelSpec shipped = InstantiationUtil.clone(spec);
        ModelFolders.deleteTree(copy);
        assertEquals(copy, shipped.directory());
        assertSameTree(Path.of(uri.substring((ModelfsFileSystemFactory.SCHEME + "://").length())), copy);
    }

    @Test
    void aRemoteFolderWithoutConfigIsRefusedNamingTheUri() throws IOException {
        Path folder = remote.resolve("empty");
        Files.createDirectories(folder);
        Files.writeString(folder.resolve("model.safetensors"), "x");
        String uri = uri(folder);
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> ModelFolders.local(uri));
        assertTrue(e.getMessage().contains(uri) && e.getMessage().contains("no config.json"), e.getMessage());
    }

    private Path copyOfModel(String name) throws IOException {
        Path folder = remote.resolve(name);
        try (Stream<Path> walk = Files.walk(MODEL)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                Path out = folder.resolve(MODEL.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(out);
                } else {
                    Files.copy(p, out);
                }
            }
        }
        return folder;
    }

    private static String uri(Path folder) {
        return ModelfsFileSystemFactory.SCHEME + "://" + folder.toAbsolutePath();
    }

    private Path fetch(String uri) {
        Path copy = ModelFolders.local(uri);
        fetched.add(copy);
        return copy;
    }

    private static void assertSameTree(Path expected, Path actual) throws IOException {
        List<Path> files = regularFiles(expected);
        assertFalse(files.isEmpty());
        for (Path f : files) {
            Path other = actual.resolve(expected.relativize(f).toString());
            assertArrayEquals(Files.readAllBytes(f), Files.readAllBytes(other), other.toString());
        }
        assertEquals(files.size(), regularFiles(actual).size());
    }

    private static List<Path> regularFiles(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(Files::isRegularFile).toList();
        }
    }
}
