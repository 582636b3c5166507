def log = new File(basedir, 'build.log').text
assert log.contains('[webvm] building with the native builder (builder=auto') : 'builder=auto did not pick the native builder'
assert log =~ /ext2: .* revision 1,/
assert log =~ /snapshot: boot\/state-[0-9a-f]+\.bin\.zst/ : 'no build-time snapshot'
def config = new groovy.json.JsonSlurper().parse(new File(basedir, 'target/webvm-site/webvm.json'))
assert config.engine == 'v86'
assert config.snapshot?.file : "webvm.json names no snapshot: ${config}"
return true
