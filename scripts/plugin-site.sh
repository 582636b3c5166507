#!/usr/bin/env bash
# Builds the plugin's documentation site (maven-plugin-report-plugin: plugin-info.html and one page
# per goal) into webvm-maven-plugin/target/site, then checks it against the plugin descriptor:
# every goal has its page, and every parameter a user can set is on it with its user property
# and its default. Exits non-zero on a missing page, parameter, property or default.
# Usage: scripts/plugin-site.sh [extra mvn arguments, e.g. -o]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
mvn -B -q -DskipTests -Dinvoker.skip=true "$@" process-classes site -pl webvm-maven-plugin -am
site="$root/webvm-maven-plugin/target/site"
python3 - "$root/webvm-maven-plugin/target/classes/META-INF/maven/plugin.xml" "$site" <<'EOF'
import html, re, sys, xml.etree.ElementTree as ET
descriptor, site = sys.argv[1], sys.argv[2]
root = ET.parse(descriptor).getroot()
prefix = root.findtext("goalPrefix")
problems, checked = [], 0
info = open(f"{site}/plugin-info.html", encoding="utf-8").read()
for mojo in root.iter("mojo"):
    goal = mojo.findtext("goal")
    if not re.search(rf'href="(\./)?{goal}-mojo\.html"', info):
        problems.append(f"plugin-info.html does not link {goal}-mojo.html")
    page = open(f"{site}/{goal}-mojo.html", encoding="utf-8").read()
    text = html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))
    conf = mojo.find("configuration")
    config = {c.tag: c for c in (list(conf) if conf is not None else [])}
    for p in mojo.iter("parameter"):
        name = p.findtext("name")
        if p.findtext("editable") != "true":
            continue  # read-only: injected by Maven, not documented as a setting
        checked += 1
        if f"<{name}>" not in text:
            problems.append(f"{goal}: parameter {name} missing")
            continue
        c = config.get(name)
        expr = (c.text or "") if c is not None else ""
        prop = re.fullmatch(r"\$\{(.+)\}", expr)
        if prop and f"User Property : {prop.group(1)}" not in text:
            problems.append(f"{goal}: {name} has no 'User Property : {prop.group(1)}'")
        default = c.get("default-value") if c is not None else None
        if default is not None and f"Default : {default}" not in text:
            problems.append(f"{goal}: {name} has no 'Default : {default}'")
for p in problems:
    print("plugin-site: " + p)
print(f"plugin-site: {prefix}: {len(list(root.iter('mojo')))} goal pages, {checked} parameters checked, {len(problems)} problems")
sys.exit(1 if problems else 0)
EOF
echo "plugin-site: $site/plugin-info.html"
