package io.github.miniwebvm.bootkit;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.commons.compress.archivers.ar.ArArchiveEntry;
import org.apache.commons.compress.archivers.ar.ArArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.tukaani.xz.LZMA2Options;
import org.tukaani.xz.XZOutputStream;

/** Builds small real inputs for the boot kit tests: ELF modules, .deb files, a mirror over HTTP. */
final class TestFixtures {
    private TestFixtures() {
    }

    /** A minimal 32-bit little-endian ELF relocatable file with a .modinfo section. */
    static byte[] elfModule(String name, String... depends) {
        String info = "license=GPL\0name=" + name + "\0depends=" + String.join(",", depends) + "\0";
        byte[] modinfo = info.getBytes(StandardCharsets.US_ASCII);
        byte[] shstrtab = "\0.modinfo\0.shstrtab\0".getBytes(StandardCharsets.US_ASCII);
        int modinfoOff = 52;
        int strOff = modinfoOff + modinfo.length;
        int shoff = (strOff + shstrtab.length + 3) & ~3;
        ByteBuffer b = ByteBuffer.allocate(shoff + 3 * 40).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {0x7f, 'E', 'L', 'F', 1, 1, 1, 0});
        b.position(16);
        b.putShort((short) 1).putShort((short) 3).putInt(1); // ET_REL, EM_386, version
        b.putInt(0).putInt(0).putInt(shoff).putInt(0);        // entry, phoff, shoff, flags
        b.putShort((short) 52).putShort((short) 0).putShort((short) 0); // ehsize, phentsize, phnum
        b.putShort((short) 40).putShort((short) 3).putShort((short) 2); // shentsize, shnum, shstrndx
        b.position(modinfoOff);
        b.put(modinfo);
        b.put(shstrtab);
        b.position(shoff + 40);
        b.putInt(1).putInt(1).putInt(2).putInt(0).putInt(modinfoOff).putInt(modinfo.length).putInt(0).putInt(0)
                .putInt(1).putInt(0);
        b.putInt(10).putInt(3).putInt(0).putInt(0).putInt(strOff).putInt(shstrtab.length).putInt(0).putInt(0)
                .putInt(1).putInt(0);
        return b.array();
    }

    /** A .deb (ar: debian-binary, control.tar.xz, data.tar.xz) holding {@code files} (path → bytes). */
    static byte[] deb(Map<String, byte[]> files) throws IOException {
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(
                new XZOutputStream(data, new LZMA2Options(1)))) {
            for (Map.Entry<String, byte[]> f : new TreeMap<>(files).entrySet()) {
                TarArchiveEntry e = new TarArchiveEntry("./" + f.getKey());
                e.setSize(f.getValue().length);
                e.setMode(f.getKey().startsWith("bin/") ? 0100755 : 0100644);
                tar.putArchiveEntry(e);
                tar.write(f.getValue());
                tar.closeArchiveEntry();
            }
        }
        ByteArrayOutputStream control = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new XZOutputStream(control, new LZMA2Options(1)))) {
            tar.finish();
        }
        ByteArrayOutputStream deb = new ByteArrayOutputStream();
        try (ArArchiveOutputStream ar = new ArArchiveOutputStream(deb)) {
            member(ar, "debian-binary", "2.0\n".getBytes(StandardCharsets.US_ASCII));
            member(ar, "control.tar.xz", control.toByteArray());
            member(ar, "data.tar.xz", data.toByteArray());
        }
        return deb.toByteArray();
    }

    private static void member(ArArchiveOutputStream ar, String name, byte[] bytes) throws IOException {
        ar.putArchiveEntry(new ArArchiveEntry(name, bytes.length, 0, 0, 0100644, 0));
        ar.write(bytes);
        ar.closeArchiveEntry();
    }

    static byte[] xz(byte[] bytes) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (XZOutputStream xz = new XZOutputStream(out, new LZMA2Options(1))) {
            xz.write(bytes);
        }
        return out.toByteArray();
    }

    /** A static HTTP server on 127.0.0.1 serving {@link #files} and counting requests per path. */
    static final class Mirror implements AutoCloseable {
        final Map<String, byte[]> files = new ConcurrentHashMap<>();
        final Map<String, AtomicInteger> hits = new ConcurrentHashMap<>();
        private final HttpServer server;

        Mirror() throws IOException {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.createContext("/", exchange -> {
                String path = exchange.getRequestURI().getPath();
                hits.computeIfAbsent(path, k -> new AtomicInteger()).incrementAndGet();
                byte[] body = files.get(path);
                if (body == null) {
                    exchange.sendResponseHeaders(404, -1);
                } else {
                    exchange.sendResponseHeaders(200, body.length);
                    try (OutputStream os = exchange.getResponseBody()) {
                        os.write(body);
                    }
                }
                exchange.close();
            });
            server.start();
        }

        URI uri() {
            return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/debian");
        }

        int hits(String path) {
            AtomicInteger n = hits.get(path);
            return n == null ? 0 : n.get();
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }
}
