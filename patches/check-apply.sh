#!/bin/sh
# Check that the "hidden" interface patches apply cleanly to a kernel tree.
#
# Usage: patches/check-apply.sh TREE_PATH [VERSION]
#   TREE_PATH  top directory of an unpacked kernel tree (the directory that
#              holds the top-level Makefile); it is only read, never changed
#   VERSION    2.4.37, 2.6.32 or 6.1 (selects patches/linux-VERSION/);
#              default: derived from VERSION/PATCHLEVEL/SUBLEVEL in the
#              tree's Makefile
#
# Every patch of the series, in name order, must pass both
#   patch -p1 --dry-run -F0      (no fuzz allowed)
#   git apply --check
# Because a later patch may depend on an earlier one, the files the series
# touches are copied to two scratch directories; each patch is checked and
# then really applied there, one scratch directory per tool.  Finally the
# two results must be identical.  Exit status 0 means the whole series is
# clean; anything else is a failure (the reason is printed).
set -eu

usage() {
	echo "usage: $0 TREE_PATH [2.4.37|2.6.32|6.1]" >&2
	exit 2
}

if [ $# -lt 1 ] || [ $# -gt 2 ]; then usage; fi
tree=$1
[ -f "$tree/Makefile" ] || { echo "error: $tree/Makefile not found" >&2; exit 2; }
tree=$(cd "$tree" && pwd)

makevar() {
	sed -n "s/^$1[[:space:]]*=[[:space:]]*\\([0-9]*\\).*/\\1/p" "$tree/Makefile" | head -n 1
}

if [ $# -eq 2 ]; then
	version=$2
else
	v=$(makevar VERSION); p=$(makevar PATCHLEVEL); s=$(makevar SUBLEVEL)
	case "$v.$p" in
	2.4|2.6) version="$v.$p.$s" ;;
	*) version="$v.$p" ;;
	esac
	echo "tree version from Makefile: $version"
fi

case "$version" in
2.4.37|2.6.32|6.1) ;;
*) echo "error: no patches for version '$version' (have 2.4.37, 2.6.32, 6.1)" >&2
   exit 2 ;;
esac

for tool in patch git; do
	command -v $tool >/dev/null 2>&1 || { echo "error: $tool not installed" >&2; exit 2; }
done

here=$(cd "$(dirname "$0")" && pwd)
pdir=$here/linux-$version
set -- "$pdir"/*.patch
[ -f "$1" ] || { echo "error: no patches in $pdir" >&2; exit 2; }

scratch=$(mktemp -d "${TMPDIR:-/tmp}/check-apply.XXXXXX")
trap 'rm -rf "$scratch"' EXIT INT TERM
mkdir "$scratch/patch" "$scratch/git"

# Copy every file the series touches (the "--- a/" side) into both scratch
# trees; files the series creates simply do not exist yet.
for p in "$@"; do
	sed -n 's|^--- a/\([^[:space:]]*\).*|\1|p' "$p"
done | sort -u | while read -r f; do
	[ -f "$tree/$f" ] || continue
	for d in patch git; do
		mkdir -p "$scratch/$d/$(dirname "$f")"
		cp "$tree/$f" "$scratch/$d/$f"
	done
done

fail=0
for p in "$@"; do
	name=$(basename "$p")
	if out=$(cd "$scratch/patch" && patch -p1 -F0 --batch --dry-run -s < "$p" 2>&1) &&
	   [ -z "$out" ]; then
		(cd "$scratch/patch" && patch -p1 -F0 --batch -s < "$p")
		echo "ok   patch -p1 --dry-run  $name"
	else
		echo "FAIL patch -p1 --dry-run  $name"
		printf '%s\n' "$out" | grep -v '^|' | sed 's/^/     /'
		fail=1
	fi
	# Keep git from treating an enclosing repository as the work tree.
	if out=$(cd "$scratch/git" &&
		 GIT_CEILING_DIRECTORIES=$scratch git apply --check "$p" 2>&1); then
		(cd "$scratch/git" && GIT_CEILING_DIRECTORIES=$scratch git apply "$p")
		echo "ok   git apply --check    $name"
	else
		echo "FAIL git apply --check    $name"
		printf '%s\n' "$out" | sed 's/^/     /'
		fail=1
	fi
done

if [ $fail -eq 0 ] && ! diff -r "$scratch/patch" "$scratch/git" >/dev/null; then
	echo "FAIL patch and git apply produced different results"
	fail=1
fi

if [ $fail -eq 0 ]; then
	echo "PASS: linux-$version series applies cleanly to $tree"
else
	echo "FAIL: linux-$version series does not apply cleanly to $tree"
fi
exit $fail
