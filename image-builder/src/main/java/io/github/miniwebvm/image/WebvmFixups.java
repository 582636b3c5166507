package io.github.miniwebvm.image;

import io.github.miniwebvm.fs.Content;
import io.github.miniwebvm.fs.FileTree;
import io.github.miniwebvm.fs.Node;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * What WebVM's export adds or drops compared with the image: no {@code /.dockerenv}; an
 * {@code /etc/resolv.conf} (WebVM runs the container with Google's public resolvers) and an
 * {@code /etc/hosts} whenever the image has none.
 */
final class WebvmFixups {
    static final String RESOLV_CONF = "nameserver 8.8.8.8\nnameserver 8.8.4.4\n";
    static final String HOSTS = "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n";

    private WebvmFixups() { }

    static void apply(FileTree tree) {
        tree.remove(".dockerenv");
        Optional<Node> etc = tree.lookup("etc");
        if (etc.isEmpty()) {
            tree.put("etc", Node.directory(0755));
        } else if (!etc.get().isDirectory()) {
            return; // an image without a real /etc gets no network files from us
        }
        addIfMissing(tree, "etc/resolv.conf", RESOLV_CONF);
        addIfMissing(tree, "etc/hosts", HOSTS);
    }

    private static void addIfMissing(FileTree tree, String path, String text) {
        if (tree.lookup(path).isEmpty()) {
            tree.put(path, Node.file(0644, Content.ofBytes(text.getBytes(StandardCharsets.US_ASCII))));
        }
    }
}
