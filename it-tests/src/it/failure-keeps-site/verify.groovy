def site = new File(basedir, 'target/webvm-site')
assert new File(site, 'index.html').isFile()
assert new File(site, 'disk/manifest.json').isFile()
assert !new File(basedir, 'target').list().any { it ==~ /\.webvm-site\.(tmp|old)-.*/ }
def log = new File(basedir, 'build.log').text
assert log =~ /(?s)imageSize.*too small.*at least/
return true
