// Kills webvm:package (SIGKILL to the Maven JVM) at >= 20 points spread over its run, then checks
// that the previous site is byte-identical and that the next build succeeds without leftovers.
import java.security.MessageDigest
import java.util.concurrent.TimeUnit

def pom = new groovy.xml.XmlSlurper().parse(new File(basedir, 'pom.xml'))
def plugin = pom.build.plugins.plugin
def goal = "${plugin.groupId}:${plugin.artifactId}:${plugin.version}:package"
def settings = new File(basedir, 'kill-settings.xml')
settings.text = new File(basedir, '../../../src/it/settings.xml').text
        .replace('@localRepositoryUrl@', localRepositoryPath.toURI().toString())
def mvn = new File(System.getProperty('maven.home'), 'bin/mvn').path
// not offline: on a clean clone this IT may run first, before the IT repository holds the
// parent POM's imports (junit-bom); they resolve from the file repository of the settings
def cmd = [mvn, '-B', '-Dwebvm.snapshot=false', '-s', settings.path, "-Dmaven.repo.local=${localRepositoryPath}", goal].collect { it.toString() }
def target = new File(basedir, 'target')
def site = new File(target, 'webvm-site')
def log = new File(basedir, 'kill-loop.log')
log.text = ''

def hashes = { File dir ->
    def out = new TreeMap()
    if (!dir.exists()) return null
    dir.eachFileRecurse { f ->
        def rel = dir.toPath().relativize(f.toPath()).toString()
        out[rel] = f.isDirectory() ? 'dir' : MessageDigest.getInstance('SHA-256').digest(f.bytes).encodeHex().toString()
    }
    out
}
// disk/report.json records what one build did (elapsed time, files kept): it differs between builds
def content = { Map h -> h == null ? null : h.findAll { it.key != 'disk/report.json' } }
def leftovers = { target.list().findAll { it.startsWith('.webvm-site.') } }

// a log line without its numbers (sizes, times), to recognise the same point in another run
def key = { String l -> l.replaceAll(/\d+/, '#') }

// one run; kill delayMs after the occurrence-th line whose key is lineKey (null: never kill)
def run = { String lineKey, int occurrence, long delayMs ->
    new File(target, 'webvm/inputs.sha256').delete()   // force the whole pipeline, not "up to date"
    def p = new ProcessBuilder(cmd).directory(basedir).redirectErrorStream(true).start()
    long start = System.nanoTime()
    def lines = Collections.synchronizedList([])
    def killedAt = [-1L]
    int seen = 0
    if (lineKey == '') {
        // a kill at a time (delayMs after the start) rather than after a log line
        Thread.start {
            sleep(delayMs)
            if (p.isAlive()) {
                killedAt[0] = (long) ((System.nanoTime() - start) / 1e6)
                p.destroyForcibly()
            }
        }
    }
    def reader = Thread.start {
        p.inputStream.eachLine { l ->
            lines << [(long) ((System.nanoTime() - start) / 1e6), l]
            if (lineKey != null && key(l) == lineKey && ++seen == occurrence) {
                Thread.start {
                    if (delayMs > 0) sleep(delayMs)
                    if (p.isAlive()) {
                        killedAt[0] = (long) ((System.nanoTime() - start) / 1e6)
                        p.destroyForcibly()   // SIGKILL: the JVM gets no chance to clean up
                    }
                }
            }
        }
    }
    p.waitFor()
    reader.join()
    sleep(50)   // let a pending kill thread record its time
    def r = [exit: p.exitValue(), lines: lines.collect { it }, ms: (long) ((System.nanoTime() - start) / 1e6),
             killedAt: killedAt[0]]
    log << "---- run exit=${r.exit} ms=${r.ms} killedAt=${r.killedAt} after '${lineKey}' #${occurrence} +${delayMs} ms\n" <<
            r.lines.collect { "${it[0]} ${it[1]}" }.join('\n') << '\n'
    r
}
def stageAt = { r ->
    def before = r.lines.findAll { it[0] <= r.killedAt }.collect { it[1] }
    def stageLine = before.reverse().find { it =~ /\[INFO\] (image|flatten|ext2|chunks|disk|boot|site|webvm)/ }
    stageLine ? stageLine.replaceAll(/^\[INFO\] /, '').take(60) : (before ? 'maven startup: ' + before[-1].take(50) : 'JVM startup')
}

def full = run(null, 0, 0)
assert full.exit == 0 : "baseline build failed, see ${log}"
def baseline = hashes(site)
assert baseline.containsKey('index.html') && baseline.containsKey('disk/manifest.json')
assert leftovers().isEmpty()
println "interrupted-builds: baseline build ${full.ms} ms, site has ${baseline.size()} entries"

// kill points: 20 lines of the baseline's log from Maven's start to the site swap, each with a
// delay of a random part of the time to the next line; plus four just after the site stage
def lines = full.lines
int last = lines.findIndexOf { it[1].contains('site ready') }
assert last > 0 : "no 'site ready' line in the baseline run"
def random = new Random(42)
def points = []
int timed = 20
int pluginStart = Math.max(1, lines.findIndexOf { it[1].contains('webvm-maven-plugin') })
for (int i = 0; i < timed; i++) {
    // four kills while Maven starts, sixteen over the plugin's stages
    int j = i < 4 ? (int) (i * pluginStart / 4) : pluginStart + (int) ((i - 4) * (last - pluginStart) / (timed - 4))
    def k = key(lines[j][1])
    int occurrence = lines[0..j].count { key(it[1]) == k }
    long gap = Math.min(lines[j + 1][0] - lines[j][0], 1500L) / 2   // the baseline ran on a loaded box too
    points << [k, occurrence, (long) (gap * random.nextDouble())]
}
def siteLine = lines.find { it[1] =~ /\[INFO\] site: / }
[0L, 2L, 10L, 40L].each { points << [key(siteLine[1]), 1, it] }
// two more inside the ext2 and chunks stages
['ext', 'chunks'].each { stageName ->
    def l = lines.find { it[1] =~ /\[INFO\] flatten: / && stageName == 'ext' || it[1] =~ /\[INFO\] ext\d: / && stageName == 'chunks' }
    if (l != null) points << [key(l[1]), 1, 20L]
}

def results = []
int swapWindow = 0
int committed = 0
def killOnce = { pt, i ->
    def previous = hashes(site)
    def r = run(pt[0], pt[1], pt[2])
    def stage = r.killedAt < 0 ? 'completed before the kill' : 'last line ' + stageAt(r)
    def now = hashes(site)
    if (now == null) {
        // killed between the two renames of the swap: only .webvm-site.old-* holds the previous site
        def old = target.listFiles().findAll { it.name.startsWith('.webvm-site.old-') }
        assert old.size() == 1 : "kill ${i} (${stage}): no site and no .old- copy: ${target.list()}"
        assert hashes(old[0]) == previous : "kill ${i} (${stage}): the .old- copy differs from the previous site"
        swapWindow++
    } else if (now != previous) {
        // only a complete new site may have replaced it: same content, its own build report
        assert content(now) == content(baseline) : "kill ${i} at ${r.killedAt} ms (${stage}): the site changed: " +
                (now.keySet() + previous.keySet()).findAll { now[it] != previous[it] }.take(5)
        if (r.killedAt >= 0) committed++
    }
    results << "kill ${i}: at ${r.killedAt} ms, exit ${r.exit}, during: ${stage}"
    if (i == 11) {
        def next = run(null, 0, 0)
        assert next.exit == 0 : "the build after kill ${i} failed, see ${log}"
        assert content(hashes(site)) == content(baseline) : "the build after kill ${i} made a different site"
        assert leftovers().isEmpty() : "leftovers after the build following kill ${i}: ${leftovers()}"
    }
}
points.eachWithIndex { pt, i -> killOnce(pt, i) }
// on a fast machine some line-triggered kills come after the build has finished: top up with
// kills at random times within the baseline's duration until 20 have landed (bounded)
int landed = results.count { !it.contains('completed before the kill') }
for (int extra = 0; landed < 20 && extra < 30; extra++) {
    killOnce(['', 0, (long) (full.ms * (0.25 + 0.7 * random.nextDouble()))], points.size() + extra)
    landed = results.count { !it.contains('completed before the kill') }
}
def finalRun = run(null, 0, 0)
assert finalRun.exit == 0 : "the final build failed, see ${log}"
assert content(hashes(site)) == content(baseline)
assert leftovers().isEmpty() : "leftovers: ${leftovers()}"
def summary = results.join('\n') + "\nswap-window kills (site restored by the next build): ${swapWindow}; kills after the new site was committed: ${committed}\n"
new File(basedir, 'kill-points.txt').text = summary
println summary
assert results.count { !it.contains('completed before the kill') } >= 20
return true
