package io.github.miniwebvm.bootkit;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A Debian {@code Packages} index: one stanza of RFC 822-style fields per package version. */
final class PackageIndex {

    /** One package version as the index describes it. */
    record Entry(String name, String version, String filename, long size, String sha256, String depends) {
    }

    private final Map<String, List<Entry>> byName = new HashMap<>();

    private PackageIndex() {
    }

    static PackageIndex parse(Reader source) throws IOException {
        PackageIndex index = new PackageIndex();
        BufferedReader in = new BufferedReader(source, 1 << 16);
        Map<String, String> fields = new LinkedHashMap<>();
        String last = null;
        String line;
        while ((line = in.readLine()) != null) {
            if (line.isBlank()) {
                index.add(fields);
                fields.clear();
                last = null;
            } else if (line.charAt(0) == ' ' || line.charAt(0) == '\t') {
                if (last != null) {
                    fields.merge(last, "\n" + line.substring(1), String::concat);
                }
            } else {
                int colon = line.indexOf(':');
                if (colon <= 0) {
                    throw new IOException("malformed line in a Packages index (no 'Field:'): " + line);
                }
                last = line.substring(0, colon);
                fields.put(last, line.substring(colon + 1).strip());
            }
        }
        index.add(fields);
        return index;
    }

    private void add(Map<String, String> f) {
        String name = f.get("Package");
        if (name == null) {
            return;
        }
        Entry e = new Entry(name, f.getOrDefault("Version", ""), f.get("Filename"),
                Long.parseLong(f.getOrDefault("Size", "-1")), f.get("SHA256"), f.getOrDefault("Depends", ""));
        byName.computeIfAbsent(name, k -> new ArrayList<>()).add(e);
    }

    /** The newest version of {@code name}, if the index has it. */
    Optional<Entry> newest(String name) {
        return byName.getOrDefault(name, List.of()).stream()
                .max((a, b) -> DebianVersion.compare(a.version(), b.version()));
    }

    /** The entries whose package name {@code keep} accepts, as a Packages file of the fields used here. */
    String subset(java.util.function.Predicate<String> keep) {
        StringBuilder sb = new StringBuilder();
        byName.keySet().stream().filter(keep).sorted().forEach(name -> {
            for (Entry e : byName.get(name)) {
                sb.append("Package: ").append(e.name()).append('\n').append("Version: ").append(e.version()).append('\n');
                if (!e.depends().isEmpty()) {
                    sb.append("Depends: ").append(e.depends()).append('\n');
                }
                sb.append("Filename: ").append(e.filename()).append('\n').append("Size: ").append(e.size()).append('\n')
                        .append("SHA256: ").append(e.sha256()).append("\n\n");
            }
        });
        return sb.toString();
    }

    int packageCount() {
        return byName.size();
    }

    /** Package names of a {@code Depends} field, alternatives and version constraints dropped. */
    static List<String> dependencyNames(String depends) {
        List<String> out = new ArrayList<>();
        for (String clause : depends.split(",")) {
            String first = clause.split("\\|")[0].strip();
            int cut = first.length();
            for (char c : new char[] {' ', '(', ':', '['}) {
                int at = first.indexOf(c);
                if (at >= 0) {
                    cut = Math.min(cut, at);
                }
            }
            if (cut > 0) {
                out.add(first.substring(0, cut));
            }
        }
        return out;
    }
}
