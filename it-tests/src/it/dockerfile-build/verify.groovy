['native', 'engine'].each { backend ->
    def work = new File(basedir, "target/work-${backend}")
    assert new File(basedir, "target/site-${backend}/disk/manifest.json").isFile() : "no site from ${backend}"
    def image = new groovy.json.JsonSlurper().parse(new File(work, 'image.json'))
    assert image.toString().contains('GREETING=hi') : "${backend}: ENV lost: ${image}"
    assert image.toString().contains('/srv') : "${backend}: WORKDIR lost: ${image}"
    def cat = ['debugfs', '-R', 'cat /srv/hello.txt', new File(work, 'rootfs.ext2').path].execute()
    def text = cat.text
    cat.waitFor()
    assert text.contains('hello from the IT') : "${backend}: /srv/hello.txt not in the disk: ${text}"
}
def log = new File(basedir, 'build.log').text
assert log.contains('build: ')
return true
