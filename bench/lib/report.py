#!/usr/bin/env python3
"""Turns run-all's facts (facts.env) and the browser run (browse.json) into one stdout line per
figure (`name ratio ours ref unit`, ratio = ours ÷ ref, "n/a" where a side cannot be measured)
and bench/RESULTS.md. Text after the NOTES marker in an existing RESULTS.md is kept."""
import argparse
import json
import os

NOTES = "<!-- notes below this line are kept when run-all rewrites the file -->"
MIB = 1024 * 1024


def load_facts(path):
    facts = {}
    with open(path) as f:
        for line in f:
            if "=" in line:
                k, v = line.rstrip("\n").split("=", 1)
                facts[k] = v
    return facts


def num(v):
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--facts", required=True)
    ap.add_argument("--browse")
    ap.add_argument("--browse-nosnap")
    ap.add_argument("--results", required=True)
    a = ap.parse_args()
    f = load_facts(a.facts)
    def load_browse(path):
        if path and os.path.exists(path):
            with open(path) as fh:
                return json.load(fh)
        return None

    browse = load_browse(a.browse)
    browse_nosnap = load_browse(a.browse_nosnap)
    sizes = f.get("sizes", "750M").split()
    s0 = sizes[0]
    cold = (browse or {}).get("visits", {}).get("cold") or {}
    warm = (browse or {}).get("visits", {}).get("warm") or {}
    cold_nosnap = (browse_nosnap or {}).get("visits", {}).get("cold") or {}

    def visit(v, *path):
        for p in path:
            if not isinstance(v, dict):
                return None
            v = v.get(p)
        return v

    def prompt_s(v):
        ms = v.get("promptMs") if v.get("outcome") == "prompt" else None
        return None if ms is None else ms / 1000

    rows = []

    def fig(name, ours, ref, unit, target=None, check=None, note=""):
        ours, ref = num(ours), num(ref)
        ratio = ours / ref if ours is not None and ref not in (None, 0) else None
        met = None
        if check is not None and ours is not None:
            met = check(ours, ratio)
        rows.append(dict(name=name, ours=ours, ref=ref, unit=unit, ratio=ratio, target=target or "",
                         met=met, note=note))

    ref_build = f.get("ref_build_cold")
    fig("time_dockerfile_to_site_engine", f.get("ours_engine_time"), f.get(f"ref_{s0}_after_build"), "s",
        "≤ 2.0 × ref", lambda o, r: r is not None and r <= 2.0,
        f"same engine (podman), so the image build is excluded: the reference's cold `podman build` "
        f"({ref_build} s) is left out, and ours runs `mvn package` right after it, so its podman build "
        f"hits the layer cache (its build stage: {f.get('ours_engine_build_stage') or '?'} s, counted). "
        f"Ours includes Maven's start-up. Reference: {s0} image, create→split.")
    stages = ", ".join(f"{k[len('ours_stage_'):].replace('_', ' ')} {v} s" for k, v in f.items()
                       if k.startswith("ours_stage_") and v)
    fig("time_dockerfile_to_site_engine_no_snapshot", f.get("ours_nosnap_time"), f.get(f"ref_{s0}_after_build"),
        "s", "≤ 1.2 × ref", lambda o, r: r is not None and r <= 1.2,
        "as above, built with -Dwebvm.snapshot=false (no build-time boot of the guest), the like-for-like "
        f"configuration: WebVM's page boots too. Stages of the default run: {stages or 'n/a'}.")
    fig("time_dockerfile_to_site_native", f.get("ours_native_time"), f.get(f"ref_{s0}_total"), "s", "", None,
        "different engines, so the image build is included on both sides: ours builds natively (RUN via "
        "qemu-i386 chroot) with an empty layer cache, the reference runs `podman build --no-cache` then "
        f"create→split. Ours with its default snapshot; its build stage: {f.get('ours_native_build_stage') or '?'} s."
        + (f" Ours failed: {f['ours_native_error']}" if f.get("ours_native_error") else ""))
    fig("time_dockerfile_to_site_native_no_snapshot", f.get("ours_native_nosnap_time"), f.get(f"ref_{s0}_total"),
        "s", "", None, "as above with -Dwebvm.snapshot=false"
        + (f"; its build stage: {f['ours_native_nosnap_build_stage']} s" if f.get("ours_native_nosnap_build_stage") else "")
        + (f". Failed: {f['ours_native_nosnap_error']}" if f.get("ours_native_nosnap_error") else ""))
    for suffix, size in [("", s0)] + [("_" + s, s) for s in sizes[1:]]:
        ours_prefix = "ours" if suffix == "" else "ours_" + size
        note_size = f"reference: {size} image (chunks + .meta; WebVM's page assets not counted)"
        if suffix:
            note_size += f"; ours with -Dwebvm.imageSize={size}"
        else:
            note_size += "; ours with its default (automatic) image size"
        fig("site_bytes_du" + suffix, f.get(ours_prefix + "_du"), f.get(f"ref_{size}_du"), "B",
            "≤ 0.065 × ref", lambda o, r: r is not None and r <= 0.065, "`du -sb --apparent-size`; " + note_size)
        fig("site_bytes_sum" + suffix, f.get(ours_prefix + "_sum"), f.get(f"ref_{size}_sum"), "B",
            "≤ 0.065 × ref", lambda o, r: r is not None and r <= 0.065, "sum of file sizes")
        fig("site_files" + suffix, f.get(ours_prefix + "_files"), f.get(f"ref_{size}_files"), "files",
            "≤ 0.2 × ref", lambda o, r: r is not None and r <= 0.2, "")
    fig("site_bytes_du_no_snapshot", f.get("ours_nosnap_du"), f.get(f"ref_{s0}_du"), "B", "≤ 0.065 × ref",
        lambda o, r: r is not None and r <= 0.065, "-Dwebvm.snapshot=false: no saved state in boot/")
    fig("site_files_no_snapshot", f.get("ours_nosnap_files"), f.get(f"ref_{s0}_files"), "files", "≤ 0.2 × ref",
        lambda o, r: r is not None and r <= 0.2, "")
    not_measurable = ("reference not measurable: WebVM's page loads CheerpX from its CDN, which is "
                      "unreachable here, so it cannot boot in this browser")
    fig("bytes_before_prompt", visit(cold, "beforePrompt", "bytes") if cold.get("promptMs") is not None else None,
        None, "B", "≤ 6 MiB", lambda o, r: o <= 6 * MIB,
        "cold visit, bytes of response bodies the host sent until the prompt showed (v86); " + not_measurable)
    fig("bytes_before_prompt_no_snapshot",
        visit(cold_nosnap, "beforePrompt", "bytes") if cold_nosnap.get("promptMs") is not None else None,
        None, "B", "≤ 6 MiB", lambda o, r: o <= 6 * MIB,
        "the same for the site built with -Dwebvm.snapshot=false: kernel, initrd and disk chunks instead of the saved state")
    fig("time_to_prompt_cold", prompt_s(cold), None, "s", "≤ 1.5 s", lambda o, r: o <= 1.5,
        f"navigation → prompt in the terminal text, fresh profile; {not_measurable}")
    fig("time_to_prompt_cold_no_snapshot", prompt_s(cold_nosnap), None, "s", "", None,
        f"site built with -Dwebvm.snapshot=false (the page boots the kernel); {not_measurable}")
    fig("time_to_prompt_warm", prompt_s(warm), None, "s", "≤ 1.0 s", lambda o, r: o <= 1.0,
        "second visit after a browser restart, same profile (Cache Storage and HTTP cache kept)")
    fig("bytes_before_prompt_warm",
        visit(warm, "beforePrompt", "bytes") if warm.get("promptMs") is not None else None, None, "B", "", None,
        "second visit")
    fig("stage_snapshot", f.get("ours_stage_snapshot"), None, "s", "≤ 5 s", lambda o, r: o <= 5.0,
        "the snapshot stage of the last default run (the build-time boot in Node and the state's compression; from the second build on a machine the boot before the disk is restored from the cache directory's boot-states/)")
    fig("stage_chunks", f.get("ours_stage_chunks"), None, "s", "≤ 1.0 s", lambda o, r: o <= 1.0,
        "the chunks stage of the default run (gzip on all cores)")
    fig("chunk_bytes_per_used_block_bytes", f.get("ours_chunk_bytes"), f.get("ours_used_block_bytes"), "B",
        "≤ 0.30 × ref", lambda o, r: r is not None and r <= 0.30,
        "stored chunk bytes (disk/chunks) ÷ bytes of the ext2 image's used blocks (dumpe2fs), default run")
    fig("rebuild_no_change", f.get("ours_rebuild_time"), f.get("ref_rerun_total"), "s", "≤ 3 s",
        lambda o, r: o <= 3.0,
        "second `mvn package` with nothing changed (includes Maven's start-up); the reference has no "
        "up-to-date check, so its figure reruns every step with podman's layer cache warm (the second of "
        "two reruns: layers of a --no-cache build are not reused)")
    fig("peak_rss_2g", f.get("ours_rss_2g"), None, "MiB", "≤ 512 MiB", lambda o, r: o <= 512,
        f"`/usr/bin/time -v` on mvn with -Dwebvm.imageSize={f.get('ours_rss_size', '2G')}"
        + (" (v86 rejects disks of 2047 MiB or more, so 2G itself cannot be packaged for v86)" if f.get('ours_rss_size') == '2046M' else "")
        + ", -Dwebvm.snapshot=false (the snapshot boots in a separate Node process); "
        "the JVM holds Maven itself too")
    if f.get("ours_rss_2g_until_rejected"):
        fig("peak_rss_2g_until_rejected", f.get("ours_rss_2g_until_rejected"), None, "MiB", "≤ 512 MiB",
            lambda o, r: o <= 512, "the -Dwebvm.imageSize=2G run, which builds, flattens and writes the 2 GiB "
            "ext2 image, then stops because v86 cannot address it")
    fig("peak_rss_default_jvm", f.get("ours_nosnap_rss"), None, "MiB", "≤ 512 MiB", lambda o, r: o <= 512,
        "default image size, -Dwebvm.snapshot=false: Maven's JVM")
    fig("peak_rss_default_with_snapshot", f.get("ours_engine_rss"), None, "MiB", "", None,
        "default configuration: the largest process of the build, which is Node booting the 256 MiB guest "
        "for the snapshot, not the JVM")

    def fmt(v, unit, table=False):
        if v is None:
            return "n/a"
        if unit in ("B", "files"):
            return f"{int(v):,}" if table else str(int(v))
        return f"{v:.3f}" if not table else f"{v:.2f}"

    for r in rows:
        ratio = "n/a" if r["ratio"] is None else f"{r['ratio']:.4g}"
        print(f"{r['name']} {ratio} {fmt(r['ours'], r['unit'])} {fmt(r['ref'], r['unit'])} {r['unit']}")

    kept = ""
    if os.path.exists(a.results):
        text = open(a.results).read()
        if NOTES in text:
            kept = text.split(NOTES, 1)[1]
    out = []
    out.append("# Benchmark: webvm:package against Mini.WebVM's pipeline\n")
    out.append(f"Run {f.get('date')} by `bench/run-all` on examples/debian (base `{f.get('base')}`), "
               f"repository at {f.get('commit')}.\n")
    out.append(f"- Machine: {f.get('machine')}; {f.get('os')}")
    for k, label in [("v_podman", "podman"), ("v_java", "Java"), ("v_maven", "Maven"), ("v_node", "Node"),
                     ("v_chromium", "Chromium"), ("v_e2fsprogs", "e2fsprogs"), ("v_coreutils", "split")]:
        out.append(f"- {label}: {f.get(k, '?')}")
    if browse:
        out.append(f"- Browser run: {browse.get('chromium')}, headless, served by bench/lib/serve.py "
                   "(HTTP/1.1, gzip for text types and wasm, `Cache-Control: max-age=600`, as GitHub Pages)")
    out.append("")
    out.append("Ratio = ours ÷ reference. Reference = leaningtech/webvm deploy.yml's steps with podman "
               f"(`{s0}` image unless the name says otherwise).\n")
    out.append("| figure | ours | reference | ratio | target | met | how |")
    out.append("| --- | ---: | ---: | ---: | --- | --- | --- |")
    for r in rows:
        ratio = "n/a" if r["ratio"] is None else f"{r['ratio']:.4g}"
        met = {True: "yes", False: "**no**", None: "–" if not r["target"] else "not measured"}[r["met"]]
        out.append(f"| {r['name']} | {fmt(r['ours'], r['unit'], True)} {r['unit']} | "
                   f"{fmt(r['ref'], r['unit'], True)} {r['unit'] if r['ref'] is not None else ''} | {ratio} | "
                   f"{r['target']} | {met} | {r['note']} |")
    out.append("")
    ref_steps = [k for k in f if k.startswith(f"ref_{s0}_") and k[len(f'ref_{s0}_'):] in
                 ("build", "create", "fallocate", "mkfs", "mount", "copy", "umount", "split")]
    if ref_steps:
        out.append(f"Reference steps ({s0}, seconds): " + ", ".join(
            f"{k[len(f'ref_{s0}_'):]} {f[k]}" for k in ref_steps) + ".\n")
    for label, b in [("", browse), (" (no snapshot)", browse_nosnap)]:
        for name, v in (b or {}).get("visits", {}).items():
            bp = v.get("beforePrompt", {})
            dirs = ", ".join(f"{d} {x['requests']} req / {x['bytes']:,} B" for d, x in sorted(bp.get("byDir", {}).items()))
            out.append(f"Browser{label}, {name} visit: {v.get('outcome')}, prompt at {v.get('promptMs')} ms, page state "
                       f"'ready' at {v.get('readyMs')} ms; before the prompt: {bp.get('requests')} requests, "
                       f"{bp.get('bytes', 0):,} B ({dirs}).\n")
    out.append(NOTES + kept if kept else NOTES + "\n")
    with open(a.results, "w") as fh:
        fh.write("\n".join(out))


if __name__ == "__main__":
    main()
