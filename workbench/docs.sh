#!/bin/sh
# Render Documentation/gpu of the project tree (make htmldocs SPHINXDIRS=gpu),
# count its warnings and fail on any that names a project file (the helper's
# sources and headers, or a line of drm-mm.rst the patches add), then take a
# screenshot of the chunk helper's section into doc/helper-doc.png.
set -eu
. "$(dirname "$0")/common.sh"

"$WB_DIR/host-deps.sh" make python3 python3-sphinx python3-yaml graphviz \
	fonts-dejavu-core chromium

step "laying the project over the pristine tree"
"$WB_DIR/overlay.sh" >/dev/null

src=$WB_BUILD/src-project
out=$WB_BUILD/out-docs
log=$WB_BUILD/logs/docs.log
# From scratch: an incremental build repeats only the warnings of the pages
# it reads again.
rm -rf "$out"
mkdir -p "$WB_BUILD/logs" "$out"

step "make htmldocs SPHINXDIRS=gpu (log: $log)"
make -C "$src" O="$out" htmldocs SPHINXDIRS=gpu >"$log" 2>&1 ||
	die "make htmldocs failed" "$log"

# Lines of drm-mm.rst the project added, as "first last" pairs.
added=$(git -C "$src" diff -U0 pristine -- Documentation/gpu/drm-mm.rst |
	sed -n 's/^@@ .* +\([0-9]*\),*\([0-9]*\) @@.*/\1 \2/p' |
	awk '{ n = $2 == "" ? 1 : $2; if (n) print $1, $1 + n - 1 }')

warnings=$(grep -E 'WARNING|ERROR|CRITICAL|SEVERE' "$log" || true)
total=$(printf '%s' "$warnings" | grep -c . || true)
ours=$(printf '%s\n' "$warnings" | awk -v added="$added" '
	BEGIN { n = split(added, a, /[ \n]/) }
	/drm_chunk|drm_gem_chunk_helper|drm_fbdev_chunk/ { print; next }
	# Sphinx names the page drm-mm.rst, kernel-doc directives drm-mm.
	match($0, /drm-mm(\.rst)?:[0-9]+/) {
		line = substr($0, RSTART, RLENGTH)
		sub(/.*:/, "", line)
		line += 0
		for (i = 1; i < n; i += 2)
			if (line >= a[i] && line <= a[i + 1]) { print; next }
	}')
mine=$(printf '%s' "$ours" | grep -c . || true)
echo "htmldocs: $total warnings, $mine from the project's files"
[ "$mine" -eq 0 ] || {
	printf '%s\n' "$ours" | sed 's/^/       | /' >&2
	die "the project's files have documentation warnings" "$log"
}

sect=gem-chunk-helper-functions-reference
html=$(find "$out/Documentation/output" -path '*gpu/drm-mm.html' | head -n 1)
[ -n "$html" ] || die "no drm-mm.html in $out/Documentation/output" "$log"
grep -q "id=\"$sect\"" "$html" ||
	die "drm-mm.html has no chunk helper section" "$log"

step "screenshot of the chunk helper's section: doc/helper-doc.png"
# Chromium's headless screenshot comes out blank when it scrolls to an
# anchor of this long page: a copy beside it keeps only the helper's section.
page=${html%.html}-chunk-helper.html
sed "s|</body>|<script>document.querySelector('div.body').replaceChildren(document.getElementById('$sect'));</script>\n</body>|" \
	"$html" >"$page"
shot=$WB_BUILD/logs/docs-chromium.log
# --no-sandbox: chromium's sandbox refuses to run as root.
timeout 300 chromium --headless --no-sandbox --disable-gpu --hide-scrollbars \
	--window-size=1200,1600 --screenshot="$WB_TOP/doc/helper-doc.png" \
	"file://$page" >"$shot" 2>&1 ||
	die "chromium could not take the screenshot" "$shot"
[ -s "$WB_TOP/doc/helper-doc.png" ] || die "chromium wrote no screenshot" "$shot"
echo "doc/helper-doc.png: the section $sect of $html"
