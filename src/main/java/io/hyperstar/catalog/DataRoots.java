package io.hyperstar.catalog;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The folders a role may read datasets from. A dataset URI is input from another team: resolved (links, "..")
 * before it is trusted, and refused when it points anywhere else.
 */
public final class DataRoots {

    private final List<Path> roots;

    public DataRoots(List<Path> roots) {
        this.roots = roots.stream().map(p -> p.toAbsolutePath().normalize()).toList();
    }

    /** Comma-separated folders, as given on a command line or in configuration. */
    public static DataRoots parse(String commaSeparated) {
        return new DataRoots(java.util.Arrays.stream(commaSeparated.split(",")).map(String::trim)
                .filter(s -> !s.isEmpty()).map(Path::of).toList());
    }

    /** The dataset folder a URI (file: URI or path) names, or null when it lies outside every root. */
    public Path resolve(String uri) {
        Path p;
        try {
            p = uri.startsWith("file:") ? Path.of(URI.create(uri)) : Path.of(uri);
        } catch (IllegalArgumentException | java.nio.file.FileSystemNotFoundException e) {
            return null;
        }
        Path abs = p.toAbsolutePath().normalize();
        try {
            if (Files.exists(abs)) {
                abs = abs.toRealPath();
            }
        } catch (IOException e) {
            return null;
        }
        for (Path root : roots) {
            Path real = root;
            try {
                real = Files.exists(root) ? root.toRealPath() : root;
            } catch (IOException ignored) {
                // an unreadable root contains nothing
            }
            if (abs.startsWith(real)) {
                return abs;
            }
        }
        return null;
    }

    @Override
    public String toString() {
        return roots.toString();
    }
}
