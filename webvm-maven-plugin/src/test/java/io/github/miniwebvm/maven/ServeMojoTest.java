package io.github.miniwebvm.maven;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.lang.reflect.Field;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.maven.plugin.logging.SystemStreamLog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code webvm:serve} prints the address it serves and opens nothing by itself: no browser, no
 * other process. The goal runs as Maven runs it (its parameters set as Maven injects them), on a
 * free port, until its thread is interrupted.
 */
class ServeMojoTest {
    private static final Pattern URL = Pattern.compile("at (http://127\\.0\\.0\\.1:\\d+/) \\(Ctrl-C to stop\\)");

    @TempDir Path temp;

    private static void set(Object target, String field, Object value) throws Exception {
        Field f = ServeMojo.class.getDeclaredField(field);
        f.setAccessible(true);
        f.set(target, value);
    }

    @Test
    void printsTheUrlServesTheSiteAndStartsNoProcess() throws Exception {
        Path site = Files.createDirectories(temp.resolve("target/webvm-site"));
        Files.writeString(site.resolve("index.html"), "<!doctype html><title>served</title>");
        List<Long> childrenBefore = ProcessHandle.current().children().map(ProcessHandle::pid).toList();

        CompletableFuture<String> url = new CompletableFuture<>();
        List<String> infos = new CopyOnWriteArrayList<>();
        ServeMojo mojo = new ServeMojo();
        mojo.setLog(new SystemStreamLog() {
            @Override
            public void info(CharSequence content) {
                super.info(content);
                infos.add(content.toString());
                Matcher m = URL.matcher(content);
                if (m.find()) {
                    url.complete(m.group(1));
                }
            }
        });
        set(mojo, "outputDirectory", new File("${project.build.directory}/webvm-site")); // as without a POM
        set(mojo, "executionRoot", temp.toFile());
        set(mojo, "port", 0);

        Thread serving = new Thread(() -> {
            try {
                mojo.execute();
            } catch (Exception e) {
                url.completeExceptionally(e);
            }
        }, "serve-under-test");
        serving.start();
        try {
            URI uri = URI.create(url.get(60, TimeUnit.SECONDS));
            assertThat(infos).anySatisfy(line -> assertThat(line).startsWith("Serving " + site));
            HttpResponse<String> page = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.body()).contains("<title>served</title>");
            assertThat(page.headers().firstValue("Cross-Origin-Embedder-Policy")).hasValue("require-corp");
            // no browser opener (xdg-open, sensible-browser, Desktop.browse's helpers) was started
            assertThat(ProcessHandle.current().children().map(ProcessHandle::pid).toList())
                    .containsExactlyInAnyOrderElementsOf(childrenBefore);
        } finally {
            serving.interrupt();
            serving.join(TimeUnit.SECONDS.toMillis(60));
        }
        assertThat(serving.isAlive()).as("the goal stops when interrupted").isFalse();
    }
}
