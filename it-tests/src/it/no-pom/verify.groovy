// run without any POM: target/ is relative to the current directory
def site = new File(basedir, 'target/webvm-site')
assert new File(site, 'index.html').isFile()
assert new File(site, 'disk/manifest.json').isFile()
assert new File(basedir, 'target/webvm/site.json').isFile()
return true
