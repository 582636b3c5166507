package io.github.miniwebvm.dockerfile;

import io.github.miniwebvm.dockerfile.syntax.DockerIgnore;
import io.github.miniwebvm.dockerfile.syntax.Dockerfile;
import io.github.miniwebvm.dockerfile.syntax.DockerfileException;
import io.github.miniwebvm.dockerfile.syntax.Glob;
import io.github.miniwebvm.dockerfile.syntax.Heredoc;
import io.github.miniwebvm.dockerfile.syntax.Instruction;
import io.github.miniwebvm.dockerfile.syntax.Stage;
import io.github.miniwebvm.io.Sha256;
import io.github.miniwebvm.io.Trees;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/** COPY and ADD for the native builder: sources, digests for the cache, and the copy itself. */
final class Copy {
    private static final Pattern HEREDOC_WORD = Pattern.compile("<<-?[\"']?([A-Za-z_][A-Za-z0-9_]*)[\"']?");

    /** What the builder lends a COPY step. */
    interface Env {
        Rootfs rootfs() throws IOException;

        void layer(String description, String inputs, NativeBuilder.Action action) throws IOException;
    }

    /**
     * One source: a host file/dir (context, earlier stage, downloaded URL) or heredoc bytes; the
     * name is what it is called in the destination directory.
     */
    private record Source(String name, Path path, byte[] bytes, boolean fromContext) {
    }

    private Copy() {
    }

    static void step(NativeBuilder b, ImageState st, Instruction in, Map<String, String> scope, List<Stage> stages,
                     Env env) throws IOException {
        Dockerfile df = b.dockerfile();
        boolean add = in.keyword().equals("ADD");
        Dockerfile.Expansion expansion = df.expansion(in, scope);
        List<String> words = new ArrayList<>();
        if (in.isJsonForm()) {
            for (String w : in.json()) {
                words.add(expansion.expand(w.replace("\\", "\\\\").replace("\"", "\\\"").replace("'", "\\'")));
            }
        } else {
            // heredoc markers are kept verbatim; everything else is expanded and split
            for (String raw : splitKeepingHeredocs(in.args())) {
                if (HEREDOC_WORD.matcher(raw).matches()) {
                    words.add(raw);
                } else {
                    words.addAll(expansion.expandWords(raw));
                }
            }
        }
        if (words.size() < 2) {
            throw new DockerfileException(df.source(), in.line(), in.keyword()
                    + " requires at least one source and a destination");
        }
        String dest = words.get(words.size() - 1);
        List<String> srcs = words.subList(0, words.size() - 1);
        String cwd = st.workingDir().isEmpty() ? "/" : st.workingDir();
        boolean destIsDir = dest.endsWith("/") || dest.endsWith("/.") || dest.equals(".");
        String destPath = NativeBuilder.normalise(dest.startsWith("/") ? dest : cwd + "/" + dest);

        String from = in.flag("from").map(f -> {
            try {
                return expansion.expand(f);
            } catch (DockerfileException e) {
                throw new IllegalArgumentException(e.getMessage());
            }
        }).orElse(null);
        String chown = in.flag("chown").orElse(null);
        if (chown != null) {
            chown = expansion.expand(chown);
        }
        Integer chmod = null;
        if (in.flag("chmod").isPresent()) {
            String m = expansion.expand(in.flag("chmod").get());
            if (!m.matches("[0-7]{3,4}")) {
                throw new DockerfileException(df.source(), in.line(), "--chmod must be an octal mode such as 0755, not '"
                        + m + "'");
            }
            chmod = Integer.parseInt(m, 8);
        }

        // gather the sources and digest them (content included) for the cache key
        MessageDigest md = Sha256.newDigest();
        SourceTree context = new SourceTree(b.request().context(), b.ignore(),
                "the build context " + b.request().context());
        List<Source> sources = new ArrayList<>();
        int heredocIndex = 0;
        Rootfs fromRoot = null;
        for (String s : srcs) {
            if (HEREDOC_WORD.matcher(s).matches()) {
                Heredoc h = in.heredocs().get(heredocIndex++);
                String content = h.expand() ? expansion.expand(quoteForExpansion(h.content())) : h.content();
                byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
                sources.add(new Source(h.name(), null, bytes, false));
                md.update(("heredoc " + h.name() + "\n").getBytes(StandardCharsets.UTF_8));
                md.update(bytes);
            } else if (from != null) {
                md.update(("from " + b.sourceChainKey(from, stages, Integer.MAX_VALUE) + " " + s + "\n")
                        .getBytes(StandardCharsets.UTF_8));
                sources.add(new Source(s, null, null, false));
            } else if (s.matches("(?i)https?://.*")) {
                if (!add) {
                    throw new DockerfileException(df.source(), in.line(), "COPY cannot fetch URLs (" + s
                            + "); use ADD, or download the file into the build context");
                }
                if (b.request().offline()) {
                    throw new DockerfileException(df.source(), in.line(), "ADD " + s + ": the build is offline, so "
                            + "URLs cannot be fetched; put the file into the build context and COPY it");
                }
                Path file = UrlDownload.fetch(s, b.request().cacheDirectory().resolve("native/downloads"),
                        b.request().maxAddBytes());
                md.update(("url " + s + " " + Sha256.ociDigest(file) + "\n").getBytes(StandardCharsets.UTF_8));
                sources.add(new Source(s, file, null, false));
            } else {
                List<SourceTree.Match> matched = matches(context, s, df, in);
                if (matched.isEmpty()) {
                    throw new DockerfileException(df.source(), in.line(), in.keyword() + " failed: '" + s
                            + "' not found in the build context " + b.request().context()
                            + " (or excluded by .dockerignore)");
                }
                for (SourceTree.Match m : matched) {
                    md.update(("source " + m.name() + "\n").getBytes(StandardCharsets.UTF_8));
                    digestTree(context, m.path(), b.ignore(), md);
                    sources.add(new Source(m.name(), m.path(), null, true));
                }
            }
        }
        if (sources.size() > 1) {
            destIsDir = true;
        }
        String description = in.keyword() + " from=" + from + " chown=" + chown + " chmod=" + chmod + " "
                + srcs + " -> " + destPath + (destIsDir ? "/" : "");
        String inputs = Sha256.ociDigestOf(md);

        boolean dirDest = destIsDir;
        String owner = chown;
        Integer mode = chmod;
        env.layer(description, inputs, () -> {
            Rootfs root = env.rootfs();
            long[] ids = owner == null ? null : Users.resolve(root, owner, false);
            Rootfs src = from == null ? null : b.sourceRootfs(from, stages, Integer.MAX_VALUE);
            for (Source s : sources) {
                if (s.bytes() != null) {
                    Path target = targetFor(root, destPath, dirDest, s.name(), ids);
                    Trees.deleteRecursively(target);
                    Files.write(target, s.bytes());
                    setMeta(target, mode != null ? mode : 0644, ids == null ? 0 : ids[0], ids == null ? 0 : ids[1], null);
                } else if (src != null) {
                    for (SourceTree.Match m : stageMatches(src, from, s.name(), df, in)) {
                        copyEntry(root, m.path(), m.name(), destPath, dirDest, ids, mode, null, false, null);
                    }
                } else if (add && s.fromContext() && TarExtractor.isTar(s.path())) {
                    // only local archives: Docker copies what a URL serves as it is
                    TarExtractor.unpackAdd(s.path(), s.name(), root, destPath, b.request().maxAddBytes(),
                            b.request().log());
                } else if (!s.fromContext()) {
                    // a downloaded URL: mode 0600 as Docker sets it
                    String name = URI.create(s.name()).getPath();
                    name = name.substring(name.lastIndexOf('/') + 1);
                    Path target = targetFor(root, destPath, dirDest, name.isEmpty() ? "index.html" : name, ids);
                    Trees.deleteRecursively(target);
                    Files.copy(s.path(), target);
                    setMeta(target, mode != null ? mode : 0600, ids == null ? 0 : ids[0], ids == null ? 0 : ids[1],
                            Files.getLastModifiedTime(s.path()));
                } else {
                    copyEntry(root, s.path(), s.name(), destPath, dirDest, ids, mode, b.ignore(), true,
                            context.root);
                }
            }
        });
    }

    /** Words of a COPY line, where a heredoc marker is one word. */
    private static List<String> splitKeepingHeredocs(String args) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        char quote = 0;
        for (int i = 0; i < args.length(); i++) {
            char c = args.charAt(i);
            if (quote == 0 && Character.isWhitespace(c)) {
                if (cur.length() > 0) {
                    out.add(cur.toString());
                    cur.setLength(0);
                }
                continue;
            }
            if (quote == 0 && (c == '"' || c == '\'')) {
                quote = c;
            } else if (c == quote) {
                quote = 0;
            } else if (c == '\\' && i + 1 < args.length() && quote != '\'') {
                cur.append(c);
                c = args.charAt(++i);
            }
            cur.append(c);
        }
        if (cur.length() > 0) {
            out.add(cur.toString());
        }
        return out;
    }

    /** Heredoc bodies expand variables but keep quotes literally. */
    private static String quoteForExpansion(String content) {
        return "\"" + content.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    /** What {@code source} names in {@code tree}; a source it refuses is an error on the instruction's line. */
    private static List<SourceTree.Match> matches(SourceTree tree, String source, Dockerfile df, Instruction in)
            throws IOException {
        try {
            return tree.matches(source);
        } catch (IllegalArgumentException e) {
            throw new DockerfileException(df.source(), in.line(), in.keyword() + " failed: " + e.getMessage());
        }
    }

    private static List<SourceTree.Match> stageMatches(Rootfs src, String from, String pattern, Dockerfile df,
                                                        Instruction in) throws IOException {
        SourceTree tree = new SourceTree(src.dir, DockerIgnore.none(), "the root of '" + from + "'");
        List<SourceTree.Match> out = matches(tree, pattern, df, in);
        if (out.isEmpty()) {
            throw new DockerfileException(df.source(), in.line(), Glob.hasWildcards(pattern)
                    ? "COPY --from: nothing in the source stage/image matches '" + pattern + "'"
                    : "COPY --from: '" + pattern + "' does not exist in the source stage/image");
        }
        return out;
    }

    private static void digestTree(SourceTree context, Path start, DockerIgnore ignore, MessageDigest md)
            throws IOException {
        Map<String, Path> entries = new TreeMap<>();
        if (Files.isDirectory(start, LinkOption.NOFOLLOW_LINKS)) {
            Files.walkFileTree(start, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes a) {
                    String rel = context.relative(d);
                    if (!rel.isEmpty() && ignore.excludes(rel) && !ignore.hasExceptionsUnder(rel)) {
                        return FileVisitResult.SKIP_SUBTREE;
                    }
                    entries.put(rel, d);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path f, BasicFileAttributes a) {
                    String rel = context.relative(f);
                    if (!ignore.excludes(rel)) {
                        entries.put(rel, f);
                    }
                    return FileVisitResult.CONTINUE;
                }
            });
        } else {
            entries.put(context.relative(start), start);
        }
        byte[] buf = new byte[1 << 16];
        for (Map.Entry<String, Path> e : entries.entrySet()) {
            Rootfs.Entry a = Rootfs.entry(e.getValue());
            md.update((e.getKey() + "\0" + a.type() + "\0" + Integer.toOctalString(a.mode()) + "\0" + a.size() + "\0"
                    + a.mtimeNanos() / 1_000_000_000L + "\0" + (a.link() == null ? "" : a.link()) + "\n")
                    .getBytes(StandardCharsets.UTF_8));
            if (a.type() == 'f') {
                try (InputStream in = Files.newInputStream(e.getValue())) {
                    int n;
                    while ((n = in.read(buf)) > 0) {
                        md.update(buf, 0, n);
                    }
                }
            }
        }
    }

    /** The host path a single source named {@code name} lands at; parents created (owned by chown, else root). */
    private static Path targetFor(Rootfs root, String destPath, boolean destIsDir, String name, long[] ids)
            throws IOException {
        Path dest = root.resolve(destPath, true);
        if (destIsDir || Files.isDirectory(dest)) {
            mkdirsOwned(root, destPath, ids);
            return root.resolve(destPath, true).resolve(name);
        }
        String parent = destPath.substring(0, Math.max(destPath.lastIndexOf('/'), 1));
        mkdirsOwned(root, parent, ids);
        return root.resolve(destPath, false);
    }

    private static void mkdirsOwned(Rootfs root, String path, long[] ids) throws IOException {
        Path p = root.resolve(path, true);
        if (Files.isDirectory(p)) {
            return;
        }
        List<Path> missing = new ArrayList<>();
        for (Path q = p; !q.equals(root.dir) && !Files.exists(q, LinkOption.NOFOLLOW_LINKS); q = q.getParent()) {
            missing.add(0, q);
        }
        root.mkdirs(path);
        if (ids != null) {
            for (Path m : missing) {
                Files.setAttribute(m, "unix:uid", (int) ids[0], LinkOption.NOFOLLOW_LINKS);
                Files.setAttribute(m, "unix:gid", (int) ids[1], LinkOption.NOFOLLOW_LINKS);
            }
        }
    }

    /**
     * Copies one source entry: a directory's contents go into the destination directory, a file or
     * symlink goes to the destination (or into it, when it is a directory).
     */
    private static void copyEntry(Rootfs root, Path src, String name, String destPath, boolean destIsDir, long[] ids,
                                  Integer chmod, DockerIgnore ignore, boolean fromContext, Path ctx)
            throws IOException {
        if (Files.isDirectory(src, LinkOption.NOFOLLOW_LINKS)) {
            boolean existed = Files.isDirectory(root.resolve(destPath, true));
            mkdirsOwned(root, destPath, ids);
            Path target = root.resolve(destPath, true);
            if (!existed) {
                Rootfs.Entry a = Rootfs.entry(src);
                setMeta(target, chmod != null ? chmod : a.mode(), owner(ids, a, fromContext, 0),
                        owner(ids, a, fromContext, 1), FileTime.from(a.mtimeNanos(), java.util.concurrent.TimeUnit.NANOSECONDS));
            }
            copyTree(src, target, ids, chmod, ignore, fromContext, ctx);
        } else {
            Path target = targetFor(root, destPath, destIsDir, name, ids);
            copyOne(src, target, ids, chmod, fromContext);
        }
    }

    private static void copyTree(Path srcDir, Path targetDir, long[] ids, Integer chmod, DockerIgnore ignore,
                                 boolean fromContext, Path ctx) throws IOException {
        List<Path> kids;
        try (var list = Files.list(srcDir)) {
            kids = new ArrayList<>(list.toList());
        }
        kids.sort(null);
        for (Path k : kids) {
            String rel = ctx == null ? null : ctx.relativize(k).toString();
            boolean isDir = Files.isDirectory(k, LinkOption.NOFOLLOW_LINKS);
            if (rel != null && ignore.excludes(rel) && !(isDir && ignore.hasExceptionsUnder(rel))) {
                continue;
            }
            Path t = targetDir.resolve(k.getFileName().toString());
            if (isDir) {
                if (Files.exists(t, LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(t, LinkOption.NOFOLLOW_LINKS)) {
                    Files.delete(t);
                }
                if (!Files.exists(t, LinkOption.NOFOLLOW_LINKS)) {
                    Files.createDirectory(t);
                }
                Rootfs.Entry a = Rootfs.entry(k);
                copyTree(k, t, ids, chmod, ignore, fromContext, ctx);
                setMeta(t, chmod != null ? chmod : a.mode(), owner(ids, a, fromContext, 0), owner(ids, a, fromContext, 1),
                        FileTime.from(a.mtimeNanos(), java.util.concurrent.TimeUnit.NANOSECONDS));
            } else {
                copyOne(k, t, ids, chmod, fromContext);
            }
        }
    }

    private static void copyOne(Path src, Path target, long[] ids, Integer chmod, boolean fromContext)
            throws IOException {
        Rootfs.Entry a = Rootfs.entry(src);
        if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
            Trees.deleteRecursively(target);
        }
        Files.copy(src, target, LinkOption.NOFOLLOW_LINKS, StandardCopyOption.REPLACE_EXISTING,
                StandardCopyOption.COPY_ATTRIBUTES);
        if (a.type() == 'l') {
            Files.setAttribute(target, "unix:uid", (int) owner(ids, a, fromContext, 0), LinkOption.NOFOLLOW_LINKS);
            Files.setAttribute(target, "unix:gid", (int) owner(ids, a, fromContext, 1), LinkOption.NOFOLLOW_LINKS);
            FileTime mtime = FileTime.from(a.mtimeNanos(), java.util.concurrent.TimeUnit.NANOSECONDS);
            Files.getFileAttributeView(target, java.nio.file.attribute.BasicFileAttributeView.class,
                    LinkOption.NOFOLLOW_LINKS).setTimes(mtime, null, null);
            return;
        }
        setMeta(target, chmod != null ? chmod : a.mode(), owner(ids, a, fromContext, 0), owner(ids, a, fromContext, 1),
                FileTime.from(a.mtimeNanos(), java.util.concurrent.TimeUnit.NANOSECONDS));
    }

    private static long owner(long[] ids, Rootfs.Entry a, boolean fromContext, int which) {
        if (ids != null) {
            return ids[which];
        }
        if (fromContext) {
            return 0;
        }
        return which == 0 ? a.uid() : a.gid();
    }

    private static void setMeta(Path p, int mode, long uid, long gid, FileTime mtime) throws IOException {
        Files.setAttribute(p, "unix:uid", (int) uid, LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(p, "unix:gid", (int) gid, LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(p, "unix:mode", mode, LinkOption.NOFOLLOW_LINKS);
        if (mtime != null) {
            Files.setLastModifiedTime(p, mtime);
        }
    }
}
