#!/usr/bin/env bash
# Makes args.golden (ipvsadm's recorded answers, for golden_test.cpp) from
# the console log of a run of the xvsadm_diff scenario's "golden" part:
#   qemu/run-scenarios.sh xvsadm_diff:ipvs:golden
#   userspace/xvsadm/tests/data/make-golden.sh build/qemu/runs/<run>/vm0-boot1.log
# Each line: rc TAB base64(argv joined by NUL) TAB base64(stdout) TAB
# base64(stderr).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../../.." && pwd)
log=${1:?usage: make-golden.sh CONSOLE_LOG}
args=$root/tests/qemu/xvsadm_args.txt
out=$here/args.golden
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
tr -d '\r' < "$log" | grep -a '^XVS-GOLDEN ' > "$tmp"
n=0
: > "$out.new"
while IFS= read -r line; do
	[ -z "$line" ] && continue
	n=$((n + 1))
	eval "a=($line)"
	g=$(awk -v n="$n" '$2 == n { print; exit }' "$tmp")
	[ -n "$g" ] || { echo "no golden line for vector $n" >&2; exit 1; }
	# the fields are bash %q-quoted
	eval "set -- $g"
	rc=$3 o=$4 e=$5
	# shellcheck disable=SC2154
	printf '%s\t%s\t%s\t%s\n' "$rc" "$(printf '%s\0' "${a[@]}" | base64 -w 0)" \
		"$(printf '%s' "$o" | base64 -w 0)" "$(printf '%s' "$e" | base64 -w 0)" >> "$out.new"
done < "$args"
mv "$out.new" "$out"
echo "$out: $n vectors"
