#!/usr/bin/env bash
# Builds the xvs test kernel from Debian's linux-source-6.1 (`make kernel`).
#
# Usage: build-kernel.sh [release|debug]       (default: release)
# Environment:
#   KERNEL_CACHE    cache directory (default build/kernel of this checkout;
#                   another checkout can point at the same cache)
#   KERNEL_TARBALL  source tarball (default /usr/src/linux-source-6.1.tar.xz)
#   JOBS            parallel jobs (default 2: the CI machine has 2 cores)
#
# Steps: unpack the tarball once per (tarball, patches) into
# $KERNEL_CACHE/src-<key>/ and apply patches/linux-6.1/*.patch; merge the
# kconfig/ fragments of the flavour onto allnoconfig (release: base, net,
# ipvs, kunit; debug: the same plus debug); build bzImage and modules with
# ccache (CCACHE_DIR=$KERNEL_CACHE/ccache); install the modules.  The result
# lives in $KERNEL_CACHE/<flavour>-<key>/, key = hash of the tarball's
# identity, the fragments, the patches and this script, and
# $KERNEL_CACHE/<flavour> points at it.  Its file "env" defines
#   KVER KIMAGE KMODDIR KDIR
# (KDIR: the object tree, usable as `make -C $KDIR M=...`).  A second run
# with unchanged inputs only prints the env path.
# The last line of the output is the path of the env file.
set -euo pipefail

ROOT=${ROOT:-$(cd "$(dirname "$0")/.." && pwd)}
FLAVOUR=${1:-${FLAVOUR:-release}}
CACHE=${KERNEL_CACHE:-$ROOT/build/kernel}
TARBALL=${KERNEL_TARBALL:-/usr/src/linux-source-6.1.tar.xz}
JOBS=${JOBS:-2}
PATCHDIR=$ROOT/patches/linux-6.1
FRAGDIR=$ROOT/kconfig

die() { echo "build-kernel: $*" >&2; exit 1; }
log() { echo "build-kernel: $*" >&2; }

case $FLAVOUR in
release) frags=(base net ipvs kunit) ;;
debug) frags=(base net ipvs kunit debug) ;;
*) die "unknown flavour '$FLAVOUR' (release or debug)" ;;
esac
frag_files=()
for f in "${frags[@]}"; do
	[ -f "$FRAGDIR/$f.config" ] || die "missing $FRAGDIR/$f.config"
	frag_files+=("$FRAGDIR/$f.config")
done
[ -f "$TARBALL" ] || die "no $TARBALL (apt-get install linux-source-6.1)"
for t in gcc make bc bison flex perl tar xz patch; do
	command -v "$t" >/dev/null || die "missing $t (make deps)"
done
ccache=$(command -v ccache || true)
patches=()
for p in "$PATCHDIR"/*.patch; do [ -f "$p" ] && patches+=("$p"); done

# --- cache keys ------------------------------------------------------------
tarball_id=$(stat -L -c '%n %s %Y' "$TARBALL")
src_key=$( {
	echo "$tarball_id"
	[ ${#patches[@]} -eq 0 ] || cat "${patches[@]}"
} | sha256sum | cut -c1-12)
key=$( {
	echo "$tarball_id $FLAVOUR $(gcc -dumpfullversion)"
	for f in "${frag_files[@]}"; do echo "== ${f##*/}"; cat "$f"; done
	[ ${#patches[@]} -eq 0 ] || cat "${patches[@]}"
	cat "$0"
} | sha256sum | cut -c1-12)

out=$CACHE/$FLAVOUR-$key
mkdir -p "$CACHE"
# One build per flavour at a time: a concurrent `make kernel` of the same
# flavour waits here (and then finds the result); the flavours may build
# side by side.
exec 9> "$CACHE/.lock-$FLAVOUR"
flock 9

publish() {
	ln -sfn "$FLAVOUR-$key" "$CACHE/$FLAVOUR.tmp"
	mv -T "$CACHE/$FLAVOUR.tmp" "$CACHE/$FLAVOUR"
	echo "$out/env"
}
if [ -f "$out/.done" ]; then
	log "$FLAVOUR kernel up to date ($out)"
	publish
	exit 0
fi

# --- source tree -----------------------------------------------------------
src=$CACHE/src-$src_key/linux-source-6.1
# the source tree is shared by the flavours: unpacked under its own lock
exec 8> "$CACHE/.lock-src"
flock 8
if [ ! -f "$CACHE/src-$src_key/.done" ]; then
	log "unpacking $TARBALL"
	rm -rf "$CACHE/src-$src_key"
	mkdir -p "$CACHE/src-$src_key"
	tar -xJf "$TARBALL" -C "$CACHE/src-$src_key"
	[ -f "$src/Makefile" ] || die "$TARBALL has no linux-source-6.1/"
	for p in "${patches[@]}"; do
		log "applying ${p##*/}"
		patch -d "$src" -p1 --forward --batch --quiet < "$p" ||
			die "${p##*/} does not apply"
	done
	touch "$CACHE/src-$src_key/.done"
fi
flock -u 8

# --- configuration ---------------------------------------------------------
obj=$out/obj
rm -rf "$out"
mkdir -p "$obj"
log "configuring $FLAVOUR: allnoconfig + ${frags[*]}"
(cd "$src" && ARCH=x86_64 scripts/kconfig/merge_config.sh -n -O "$obj" \
	"${frag_files[@]}" > "$out/config.log" 2>&1) ||
	{ cat "$out/config.log" >&2; die "merge_config failed"; }
# Every symbol a fragment asks for must have that value in the result (a
# missed dependency would otherwise silently drop a feature); the last
# fragment that names a symbol wins, as in merge_config.sh.
declare -A want=()
for f in "${frag_files[@]}"; do
	while IFS= read -r line; do
		case $line in
		CONFIG_*=*) want[${line%%=*}]=$line ;;
		"# CONFIG_"*" is not set") s=${line#\# }; want[${s%% *}]=$line ;;
		esac
	done < "$f"
done
bad=0
for s in "${!want[@]}"; do
	w=${want[$s]}
	got=$(grep -E "^($s=|# $s is not set)" "$obj/.config" || true)
	if [ "$w" != "$got" ]; then
		case $w in "# "*) [ -z "$got" ] && continue ;; esac
		log "kconfig: wanted '$w', got '${got:-<unset>}'"
		bad=1
	fi
done
[ $bad = 0 ] || die "the fragments do not hold (missing dependencies?)"

# --- build -----------------------------------------------------------------
kmake=(make -C "$obj" ARCH=x86_64 -j"$JOBS")
if [ -n "$ccache" ]; then
	export CCACHE_DIR=$CACHE/ccache CCACHE_BASEDIR=$CACHE CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-5G}
	# Depend mode: a miss costs no extra preprocessor run (Kbuild's
	# -Wp,-MMD gives ccache the headers).  In the default mode every miss
	# preprocesses the file once more, 20-30% of a cold build measured
	# here, and make test's build in a fresh clone is all misses.
	export CCACHE_DEPEND=1
	kmake+=(CC="ccache gcc")
fi
start=$(date +%s)
log "building $FLAVOUR kernel in $obj (log: $out/build.log)"
if ! nice -n 5 "${kmake[@]}" bzImage modules > "$out/build.log" 2>&1; then
	tail -n 40 "$out/build.log" >&2
	die "kernel build failed (see $out/build.log)"
fi
"${kmake[@]}" INSTALL_MOD_PATH="$out/modules" INSTALL_MOD_STRIP=1 \
	DEPMOD=/sbin/depmod modules_install > "$out/install.log" 2>&1 ||
	{ tail -n 20 "$out/install.log" >&2; die "modules_install failed"; }
kver=$("${kmake[@]}" -s kernelrelease)
cp "$obj/arch/x86/boot/bzImage" "$out/bzImage"
# the installed tree's build/source links point into the cache: drop them
rm -f "$out/modules/lib/modules/$kver/build" "$out/modules/lib/modules/$kver/source"
cat > "$out/env" <<EOF
# xvs test kernel ($FLAVOUR, key $key), written by scripts/build-kernel.sh
KVER=$kver
KIMAGE=$out/bzImage
KMODDIR=$out/modules/lib/modules/$kver
KDIR=$obj
EOF
log "$FLAVOUR kernel $kver built in $(( $(date +%s) - start )) s"
touch "$out/.done"
publish
