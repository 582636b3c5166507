package io.github.miniwebvm.maven;

import org.apache.maven.plugin.AbstractMojo;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;

/** Builds the image, writes the ext2 disk, cuts it into chunks and assembles the site. */
@Mojo(name = "package", defaultPhase = LifecyclePhase.PACKAGE, requiresProject = false, threadSafe = true)
public class PackageMojo extends AbstractMojo {
    @Override
    public void execute() throws MojoExecutionException {
        throw new MojoExecutionException("webvm:package is not assembled yet");
    }
}
