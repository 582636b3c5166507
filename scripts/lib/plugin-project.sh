# Sourced by scripts that run the plugin on a project of their own (scripts/matrix.sh,
# bench/large-image-bench.sh).
# write_plugin_project POM ARTIFACT PLUGIN_VERSION CONFIGURATION_XML
#   writes a POM (packaging pom) whose build runs webvm:package with the given <configuration> body.
write_plugin_project() {
  cat >"$1" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>io.github.miniwebvm.scripts</groupId>
  <artifactId>$2</artifactId>
  <version>1.0</version>
  <packaging>pom</packaging>
  <build>
    <plugins>
      <plugin>
        <groupId>io.github.miniwebvm</groupId>
        <artifactId>webvm-maven-plugin</artifactId>
        <version>$3</version>
        <configuration>
$4
        </configuration>
        <executions>
          <execution><goals><goal>package</goal></goals></execution>
        </executions>
      </plugin>
    </plugins>
  </build>
</project>
POM
}
