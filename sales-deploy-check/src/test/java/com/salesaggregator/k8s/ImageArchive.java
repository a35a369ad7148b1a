package com.salesaggregator.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * A container image as Jib's {@code buildTar} writes it (the {@code docker save} layout: {@code
 * manifest.json}, the image config, one gzipped tar per layer), read into its tags, its platform,
 * its config and the files of its layers as the container would see them (later layers win).
 */
record ImageArchive(
        List<String> repoTags,
        String architecture,
        String os,
        JsonNode config,
        Map<String, ImageFile> files) {

    /** A regular file in the image: its permission bits, size and SHA-256. */
    record ImageFile(int mode, long size, String sha256) {}

    private static final ObjectMapper JSON = new ObjectMapper();

    static ImageArchive read(Path tar) throws IOException {
        Map<String, byte[]> entries = new HashMap<>();
        try (TarArchiveInputStream in = new TarArchiveInputStream(Files.newInputStream(tar))) {
            for (TarArchiveEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                if (e.isFile()) {
                    entries.put(e.getName(), in.readAllBytes());
                }
            }
        }
        JsonNode manifest = JSON.readTree(required(entries, "manifest.json", tar)).get(0);
        List<String> tags = new ArrayList<>();
        manifest.path("RepoTags").forEach(t -> tags.add(t.asText()));
        JsonNode image = JSON.readTree(required(entries, manifest.path("Config").asText(), tar));
        JsonNode config = image.path("config");
        Map<String, ImageFile> files = new TreeMap<>();
        for (JsonNode layer : manifest.path("Layers")) {
            byte[] gzipped = required(entries, layer.asText(), tar);
            readLayer(new GZIPInputStream(new ByteArrayInputStream(gzipped)), files);
        }
        return new ImageArchive(
                List.copyOf(tags),
                image.path("architecture").asText(),
                image.path("os").asText(),
                config,
                files);
    }

    private static void readLayer(InputStream layer, Map<String, ImageFile> files)
            throws IOException {
        try (TarArchiveInputStream in = new TarArchiveInputStream(layer)) {
            for (TarArchiveEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                if (e.isFile()) {
                    byte[] content = in.readAllBytes();
                    files.put(
                            "/" + e.getName(),
                            new ImageFile(e.getMode() & 07777, content.length, sha256(content)));
                }
            }
        }
    }

    private static byte[] required(Map<String, byte[]> entries, String name, Path tar) {
        byte[] content = entries.get(name);
        if (content == null) {
            throw new AssertionError(tar + " has no " + name + ": not a Jib image tarball");
        }
        return content;
    }

    static String sha256(byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
