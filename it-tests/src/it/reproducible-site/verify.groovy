import groovy.json.JsonSlurper
import java.nio.file.Files
import java.nio.file.Path

// Every file of the two sites is byte for byte the same, but the v86 machine state of the
// build-time snapshot (and its size in webvm.json): v86 runs on the host's clock, so two boots
// never stop in the same state (README, "Reproducible sites").
Path a = basedir.toPath().resolve('target/site-a')
Path b = basedir.toPath().resolve('target/site-b')
def files = { Path root ->
    def names = []
    Files.walk(root).withCloseable { s -> s.filter { Files.isRegularFile(it) }.forEach { names << root.relativize(it).toString() } }
    names.sort()
}
def namesA = files(a)
def namesB = files(b)
assert namesA == namesB : "the sites hold different files: ${(namesA - namesB) + (namesB - namesA)}"
def states = namesA.findAll { it ==~ /boot\/state-[0-9a-f]{16}\.bin\.zst/ }
assert states.size() == 1 : "one build-time snapshot in each site, found ${states}"

def differ = namesA.findAll { n ->
    if (n in states) return false
    if (n == 'webvm.json') {
        def ja = new JsonSlurper().parse(a.resolve(n).toFile())
        def jb = new JsonSlurper().parse(b.resolve(n).toFile())
        assert ja.snapshot.file == states[0] && jb.snapshot.file == states[0]
        ja.snapshot.remove('bytes')
        jb.snapshot.remove('bytes')
        return ja != jb
    }
    !Arrays.equals(Files.readAllBytes(a.resolve(n)), Files.readAllBytes(b.resolve(n)))
}
assert differ.isEmpty() : "files that differ between two builds of the same inputs: ${differ}"
println "reproducible-site: ${namesA.size()} files equal (the snapshot's machine state excepted)"
return true
