#!/usr/bin/env python3
"""Writes the seed corpus of ImageLoaderFuzzTest.load: small images of every kind ImageLoader reads.
Usage: fuzz/make-image-seeds.py <dir>. The seeds are checked in; rerun only to change them."""
import gzip, hashlib, io, json, lzma, sys, tarfile, os

out = sys.argv[1]
os.makedirs(out, exist_ok=True)

def tar(entries, fmt=tarfile.USTAR_FORMAT):
    b = io.BytesIO()
    with tarfile.open(fileobj=b, mode="w", format=fmt) as t:
        for e in entries:
            name, kind = e[0], e[1]
            ti = tarfile.TarInfo(name)
            ti.mtime = 1600000000
            data = b""
            if kind == "dir":
                ti.type, ti.mode = tarfile.DIRTYPE, 0o755
            elif kind == "file":
                data = e[2]
                ti.size, ti.mode = len(data), 0o644
            elif kind == "sym":
                ti.type, ti.linkname = tarfile.SYMTYPE, e[2]
            elif kind == "hard":
                ti.type, ti.linkname = tarfile.LNKTYPE, e[2]
            elif kind == "chr":
                ti.type, ti.devmajor, ti.devminor = tarfile.CHRTYPE, 1, 3
            elif kind == "fifo":
                ti.type = tarfile.FIFOTYPE
            if len(e) > 3:
                ti.pax_headers = e[3]
            t.addfile(ti, io.BytesIO(data) if data else None)
    return b.getvalue()

def sha(b):
    return "sha256:" + hashlib.sha256(b).hexdigest()

rootfs = [("./", "dir"), ("bin/", "dir"), ("bin/sh", "file", b"#!fake\n"), ("etc/", "dir"),
          ("etc/passwd", "file", b"root:x:0:0:root:/root:/bin/sh\n"), ("usr/bin/sh", "sym", "/bin/sh"),
          ("bin/ash", "hard", "bin/sh"), ("dev/null", "chr"), ("run/fifo", "fifo")]
layer1 = tar(rootfs)
layer2 = tar([("etc/.wh.passwd", "file", b""), ("usr/.wh..wh..opq", "file", b""),
              ("etc/hostname", "file", b"vm\n", {"SCHILY.xattr.user.x": "1"})], tarfile.PAX_FORMAT)

def write(name, data):
    with open(os.path.join(out, name), "wb") as f:
        f.write(data)

write("rootfs.tar", layer1)
write("rootfs-gnu-longname.tar", tar([("d/" + "n" * 150, "file", b"x")], tarfile.GNU_FORMAT))
write("rootfs.tar.gz", gzip.compress(layer1, mtime=0))
write("rootfs.tar.xz", lzma.compress(layer1))

def config(layers):
    return json.dumps({"architecture": "386", "os": "linux", "config": {"Cmd": ["/bin/sh"], "Env": ["A=1"]},
                       "rootfs": {"type": "layers", "diff_ids": [sha(l) for l in layers]}}).encode()

cfg = config([layer1, layer2])
cfg_name = hashlib.sha256(cfg).hexdigest() + ".json"
manifest = json.dumps([{"Config": cfg_name, "Layers": ["a/layer.tar", "b/layer.tar"]}]).encode()
outer = []
def files_tar(files):
    b = io.BytesIO()
    with tarfile.open(fileobj=b, mode="w", format=tarfile.USTAR_FORMAT) as t:
        for n, d in files:
            ti = tarfile.TarInfo(n); ti.size = len(d); ti.mtime = 0
            t.addfile(ti, io.BytesIO(d))
    return b.getvalue()
write("docker-archive.tar", files_tar([(cfg_name, cfg), ("a/layer.tar", layer1), ("b/layer.tar", layer2),
                                       ("manifest.json", manifest)]))

g1, g2 = gzip.compress(layer1, mtime=0), gzip.compress(layer2, mtime=0)
cfg2 = config([layer1, layer2])
def desc(mt, b, **kw):
    d = {"mediaType": mt, "digest": sha(b), "size": len(b)}
    d.update(kw)
    return d
man = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                  "config": desc("application/vnd.oci.image.config.v1+json", cfg2),
                  "layers": [desc("application/vnd.oci.image.layer.v1.tar+gzip", g1),
                             desc("application/vnd.oci.image.layer.v1.tar+gzip", g2)]}).encode()
index = json.dumps({"schemaVersion": 2, "manifests": [
    desc("application/vnd.oci.image.manifest.v1+json", man, platform={"architecture": "386", "os": "linux"})]}).encode()
blobs = [("blobs/sha256/" + hashlib.sha256(b).hexdigest(), b) for b in (man, cfg2, g1, g2)]
write("oci-archive.tar", files_tar([("oci-layout", b'{"imageLayoutVersion":"1.0.0"}'), ("index.json", index)] + blobs))

# GNU sparse entries in the four formats GNU tar writes (tarfile cannot write them): a 1 MiB file
# with two data blocks, the rest holes
import subprocess, tempfile
with tempfile.TemporaryDirectory() as d:
    img = os.path.join(d, "disk.img")
    with open(img, "wb") as f:
        f.truncate(1 << 20)
        f.seek(4096)
        f.write(b"data at 4096")
        f.seek((1 << 20) - 4)
        f.write(b"tail")
    for name, opts in [("gnu", ["--format=gnu"])] + [
            ("posix-" + v, ["--format=posix", "--sparse-version=" + v, "--pax-option=delete=atime,delete=ctime"])
            for v in ("0.0", "0.1", "1.0")]:
        subprocess.run(["tar", "--sparse", *opts, "-b1", "--mtime=@1600000000", "--owner=0", "--group=0",
                        "--numeric-owner", "-C", d, "-cf", os.path.join(out, "sparse-" + name + ".tar"), "disk.img"],
                       check=True)
