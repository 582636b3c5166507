package io.github.miniwebvm.maven;

import io.github.miniwebvm.core.SiteServer;
import java.io.File;
import java.io.IOException;
import java.util.concurrent.CountDownLatch;
import org.apache.maven.plugin.AbstractMojo;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;

/**
 * Serves the built site on 127.0.0.1 for a local preview, with the cross-origin isolation headers,
 * range requests and MIME types the page needs. Stops on Ctrl-C.
 */
@Mojo(name = "serve", requiresProject = false, threadSafe = true)
public class ServeMojo extends AbstractMojo {

    /** The site folder to serve (what {@code webvm:package} wrote). */
    @Parameter(property = "webvm.outputDirectory", defaultValue = "${project.build.directory}/webvm-site")
    private File outputDirectory;

    /** The TCP port on 127.0.0.1; 0 picks a free one. */
    @Parameter(property = "webvm.port", defaultValue = "8080")
    private int port;

    @Parameter(defaultValue = "${session.executionRootDirectory}", readonly = true)
    private File executionRoot;

    @Override
    public void execute() throws MojoExecutionException {
        File dir = Defaults.resolve(outputDirectory, executionRoot, "target/webvm-site").toFile();
        SiteServer server;
        try {
            server = SiteServer.start(dir.toPath(), port);
        } catch (java.net.BindException e) {
            throw new MojoExecutionException("port " + port + " is in use; pick another with -Dwebvm.port=N", e);
        } catch (IOException e) {
            throw new MojoExecutionException(e.getMessage(), e);
        }
        getLog().info("Serving " + dir + " at " + server.uri() + " (Ctrl-C to stop)");
        CountDownLatch stop = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            server.close();
            stop.countDown();
        }, "webvm-serve-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            stop.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            server.close();
        }
    }
}
