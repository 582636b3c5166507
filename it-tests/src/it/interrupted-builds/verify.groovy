// SIGKILLs webvm:package at every named pause point of the pipeline (the plugin waits there when
// -Dwebvm.test.pauseAt names the point, so each kill lands at the same place on every machine),
// then checks that the site is always a complete one and that the next build leaves no leftovers.
import java.nio.file.Files
import java.security.MessageDigest

// every point of PausePoint except `snapshot`: this tiny image cannot boot, so the IT builds
// without the build-time snapshot (that stage writes only into the staging folder, which the
// `assembled` and `before-swap` kills cover on either side)
def points = ['started', 'built', 'flattened', 'ext2-written', 'chunks-halfway', 'chunked', 'boot-kit',
              'assembled', 'before-swap', 'mid-swap', 'swapped', 'site-json']

def pom = new groovy.xml.XmlSlurper().parse(new File(basedir, 'pom.xml'))
def plugin = pom.build.plugins.plugin
def goal = "${plugin.groupId}:${plugin.artifactId}:${plugin.version}:package"
def settings = new File(basedir, 'kill-settings.xml')
settings.text = new File(basedir, '../../../src/it/settings.xml').text
        .replace('@localRepositoryUrl@', localRepositoryPath.toURI().toString())
def mvn = new File(System.getProperty('maven.home'), 'bin/mvn').path
// not offline: on a clean clone this IT may run first, before the IT repository holds the
// parent POM's imports (junit-bom); they resolve from the file repository of the settings
def cmd = [mvn, '-B', '-s', settings.path, "-Dmaven.repo.local=${localRepositoryPath}", goal].collect { it.toString() }
Files.copy(new File(inputs, 'tiny-rootfs.tar').toPath(), new File(basedir, 'tiny-rootfs.tar').toPath())
def target = new File(basedir, 'target')
def site = new File(target, 'webvm-site')
def log = new File(basedir, 'kill-loop.log')
log.text = ''

def hashes = { File dir ->
    if (!dir.exists()) return null
    def out = new TreeMap()
    dir.eachFileRecurse { f ->
        def rel = dir.toPath().relativize(f.toPath()).toString()
        out[rel] = f.isDirectory() ? 'dir' : MessageDigest.getInstance('SHA-256').digest(f.bytes).encodeHex().toString()
    }
    out
}
// disk/report.json records what one build did (elapsed time, files kept): it differs between builds
def content = { Map h -> h == null ? null : h.findAll { it.key != 'disk/report.json' } }
def leftovers = { target.list().findAll { it ==~ /\.webvm-site\.(tmp|old)-.*/ } }
def oldCopies = { target.listFiles().findAll { it.name.startsWith('.webvm-site.old-') } }

// one build; with a point, killed (SIGKILL) as soon as it says it is paused there
def run = { String point ->
    new File(target, 'webvm/inputs.sha256').delete()   // the whole pipeline, not "up to date"
    def args = point == null ? cmd : cmd + ["-D${'webvm.test.pauseAt'}=${point}".toString()]
    def p = new ProcessBuilder(args).directory(basedir).redirectErrorStream(true).start()
    def lines = []
    boolean paused = false
    p.inputStream.withReader { r ->
        String l
        while (!paused && (l = r.readLine()) != null) {
            lines << l
            if (point != null && l.startsWith("webvm-test: paused at ${point};")) {
                paused = true
                p.destroyForcibly()   // SIGKILL: the JVM gets no chance to clean up
            }
        }
    }
    int exit = p.waitFor()
    log << "---- ${point ?: 'full build'}: exit ${exit}, paused ${paused}\n" << lines.join('\n') << '\n'
    [exit: exit, paused: paused, lines: lines]
}

def full = run(null)
assert full.exit == 0 : "baseline build failed, see ${log}"
def baseline = hashes(site)
assert baseline.containsKey('index.html') && baseline.containsKey('disk/manifest.json')
assert leftovers().isEmpty()
println "interrupted-builds: baseline site has ${baseline.size()} entries"

def results = []
points.each { point ->
    def r = run(point)
    assert r.paused : "the build never reached pause point '${point}' (exit ${r.exit}), see ${log}"
    assert r.exit != 0 : "killed at '${point}' but the build exited 0"
    def now = hashes(site)
    if (point == 'mid-swap') {
        // the previous site is moved aside and the new one not yet in place: the next build puts it back
        assert now == null : "killed between the renames, yet ${site} exists"
        assert oldCopies().size() == 1 : "killed at '${point}': no single .old- copy of the site: ${target.list()}"
        assert content(hashes(oldCopies()[0])) == content(baseline) : "killed at '${point}': the .old- copy differs"
    } else {
        // before the swap the previous site is untouched; after it the new, complete one is in place
        assert now != null : "killed at '${point}': no site left: ${target.list()}"
        assert content(now) == content(baseline) : "killed at '${point}': the site changed: " +
                (now.keySet() + baseline.keySet()).findAll { now[it] != baseline[it] }.take(5)
    }
    results << "killed at ${point}: ${now == null ? 'site moved aside, .old- copy intact' : 'site intact'}"
}

def finalRun = run(null)
assert finalRun.exit == 0 : "the build after the kills failed, see ${log}"
assert content(hashes(site)) == content(baseline) : "the build after the kills made a different site"
assert leftovers().isEmpty() : "leftovers after the build following the kills: ${leftovers()}"
new File(basedir, 'kill-points.txt').text = results.join('\n') + '\n'
println results.join('\n')
assert results.size() == points.size()
return true
