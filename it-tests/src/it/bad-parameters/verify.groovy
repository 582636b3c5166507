def log = new File(basedir, 'build.log').text
assert log.contains("unknown engine 'qemu'; use one of v86, cheerpx")
assert log.contains('no Dockerfile at ')
assert !new File(basedir, 'target/webvm-site').exists()
// -Dwebvm.outputDirectory=. and =docs: refused, and the project is as it was
assert log.contains('holds the project') : 'outputDirectory=. was not refused for holding the project'
assert log.contains('that this plugin did not write') : 'outputDirectory=docs was not refused'
assert new File(basedir, 'pom.xml').isFile()
assert new File(basedir, 'invoker.properties').isFile()
assert new File(basedir, 'docs/guide.md').text.contains("the project's own docs")
assert new File(basedir, 'docs').list().toList() == ['guide.md']
return true
