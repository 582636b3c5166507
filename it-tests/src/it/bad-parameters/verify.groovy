def log = new File(basedir, 'build.log').text
assert log.contains("unknown engine 'qemu'; use one of v86, cheerpx")
assert log.contains('no Dockerfile at ')
assert !new File(basedir, 'target/webvm-site').exists()
return true
