// The site describes the whole 4.5 GiB disk, and the chunk holding its last blocks is stored.
def manifest = new groovy.json.JsonSlurper().parse(new File(basedir, 'target/webvm-site/disk/manifest.json'))
assert manifest.size == 4608L * 1024 * 1024 : "manifest size ${manifest.size}"
assert manifest.chunks.size() == manifest.size / manifest.chunkSize
assert manifest.chunks[-1] != null : 'the last chunk (which holds /payload) is not stored'
def config = new groovy.json.JsonSlurper().parse(new File(basedir, 'target/webvm-site/webvm.json'))
assert config.engine == 'v86'
assert config.disk.size == manifest.size
return true
