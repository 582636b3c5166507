def log = new File(basedir, 'build.log').text
assert log =~ /ext2: .* revision 0,/
def sb = ['dumpe2fs', '-h', new File(basedir, 'target/webvm/rootfs.ext2').path].execute()
def text = sb.text
sb.waitFor()
assert text =~ /Filesystem revision #:\s+0/ : text
return true
