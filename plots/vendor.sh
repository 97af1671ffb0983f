#!/bin/sh
# Rebuild plots/offline.html, the page template `dvc plots show` fills (.dvc/config
# plots.html_template): DVC's own page loads vega, vega-lite and vega-embed from a CDN and
# is blank without internet, so this one carries the three libraries inline. Inline, not
# beside it: DVC copies only the filled template into the output folder, so a relative
# <script src> would not resolve. Versions: the newest vega 5 / vega-lite 5 / vega-embed 6,
# the majors DVC's templates are written for (vega-lite 5 specs; dvc-render asks for the
# same majors from the CDN). Needs npm and the registry; run from the repository root.
set -eu
VEGA=5.33.1
VEGA_LITE=5.23.0
VEGA_EMBED=6.29.0
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "vega@$VEGA" "vega-lite@$VEGA_LITE" "vega-embed@$VEGA_EMBED" >/dev/null)
for pkg in "vega-$VEGA" "vega-lite-$VEGA_LITE" "vega-embed-$VEGA_EMBED"; do
  mkdir "$work/$pkg" && tar xzf "$work/$pkg.tgz" -C "$work/$pkg"
done
# vega's tarball has no LICENSE file; its package.json says BSD-3-Clause, the same licence
# and holder (UW Interactive Data Lab) as vega-lite's, whose text stands for it.
mkdir -p plots/licenses
cp "$work/vega-lite-$VEGA_LITE/package/LICENSE" plots/licenses/vega.txt
cp "$work/vega-lite-$VEGA_LITE/package/LICENSE" plots/licenses/vega-lite.txt
cp "$work/vega-embed-$VEGA_EMBED/package/LICENSE" plots/licenses/vega-embed.txt

script() {  # $1 package name, $2 version, $3 file inside the tarball
  printf '<!-- %s %s (npm registry, BSD-3-Clause: plots/licenses/%s.txt) -->\n<script>' "$1" "$2" "$1"
  cat "$work/$1-$2/package/$3"
  printf '</script>\n'
}
{
  cat <<'HEAD'
<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8">
{refresh_tag}
<title>DVC Plot</title>
<!-- Written by plots/vendor.sh: vega, vega-lite and vega-embed inline, so the page draws offline. -->
HEAD
  script vega "$VEGA" build/vega.min.js
  script vega-lite "$VEGA_LITE" build/vega-lite.min.js
  script vega-embed "$VEGA_EMBED" build/vega-embed.min.js
  cat <<'TAIL'
<style>
  table { border-spacing: 15px; }
</style>
</head>
<body>
{plot_divs}
</body>
</html>
TAIL
} > plots/offline.html
