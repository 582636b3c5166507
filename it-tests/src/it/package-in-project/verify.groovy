def site = new File(basedir, 'target/webvm-site')
assert new File(site, 'index.html').isFile()
assert new File(site, 'sw.js').isFile()
assert new File(site, 'disk/manifest.json').isFile()
def config = new groovy.json.JsonSlurper().parse(new File(site, 'webvm.json'))
assert config.toString().contains('GREETING=hello')
assert new File(basedir, 'target/webvm/rootfs.ext2').isFile()
assert new File(basedir, 'target/webvm/image.json').isFile()
assert new File(basedir, 'target/webvm/site.json').isFile()
def log = new File(basedir, 'build.log').text
assert log.contains('ext2: ')
assert log.contains('up to date')
assert !new File(basedir, 'target').list().any { it ==~ /\.webvm-site\.(tmp|old)-.*/ }
return true
