package io.scanflow.flink.engine;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/** A job jar made of the class folders or jars that given classes came from, as a user's build would pack it. */
final class JobJars {
    private JobJars() {}

    /** Writes {@code jar} with the contents of each class's code source (first copy of an entry wins). */
    static Path scanflowJar(Path jar, Class<?>... from) throws IOException {
        Set<String> written = new HashSet<>();
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(jar))) {
            for (Class<?> c : from) {
                Path source;
                try {
                    source = Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
                } catch (java.net.URISyntaxException e) {
                    throw new IOException(e);
                }
                if (Files.isDirectory(source)) {
                    addFolder(zip, source, written);
                } else {
                    addJar(zip, source, written);
                }
            }
        }
        return jar;
    }

    private static void addFolder(ZipOutputStream zip, Path folder, Set<String> written) throws IOException {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(folder)) {
            files = walk.filter(Files::isRegularFile).sorted().toList();
        }
        for (Path f : files) {
            String name = folder.relativize(f).toString().replace('\\', '/');
            try (InputStream in = Files.newInputStream(f)) {
                add(zip, name, in, written);
            }
        }
    }

    private static void addJar(ZipOutputStream zip, Path source, Set<String> written) throws IOException {
        try (ZipFile in = new ZipFile(source.toFile())) {
            Enumeration<? extends ZipEntry> entries = in.entries();
            while (entries.hasMoreElements()) {
                ZipEntry e = entries.nextElement();
                if (!e.isDirectory() && !e.getName().startsWith("META-INF/MANIFEST")) {
                    try (InputStream data = in.getInputStream(e)) {
                        add(zip, e.getName(), data, written);
                    }
                }
            }
        }
    }

    private static void add(ZipOutputStream zip, String name, InputStream data, Set<String> written) throws IOException {
        if (written.add(name)) {
            zip.putNextEntry(new ZipEntry(name));
            data.transferTo(zip);
            zip.closeEntry();
        }
    }

}
