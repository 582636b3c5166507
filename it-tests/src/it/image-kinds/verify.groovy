['docker', 'oci-archive', 'oci-layout'].each { kind ->
    def site = new File(basedir, "target/site-${kind}")
    assert new File(site, 'disk/manifest.json').isFile() : "no disk for ${kind}"
    def image = new groovy.json.JsonSlurper().parse(new File(basedir, "target/work-${kind}/image.json"))
    assert image.toString().contains('/bin/bash') : "image config of ${kind} lost its CMD: ${image}"
}
return true
