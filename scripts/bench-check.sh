#!/usr/bin/env bash
# bench-check.sh: compare the wall time of `nixsign-check --key K` with that
# of `nix show-config`, in one run, on this machine's own configuration
# (the target: nixsign-check takes at most 1/3 of nix's time; it never starts
# Nix unless --cross-check). Each tool runs N times in a loop (hyperfine is
# not needed); the script prints the mean of each, the ratio, and whether the
# target is met (exit 1 if not).
#
# Usage: scripts/bench-check.sh [N]   (default N=50; needs nix and go)
# Environment: NIXSIGN_CHECK   use this binary instead of building ./cmd/nixsign-check
#              STORE           pass --store STORE to nixsign-check (e.g. daemon)
set -euo pipefail

cd "$(dirname "$0")/.."
n=${1:-50}
command -v nix >/dev/null || { echo "bench-check: nix is not in PATH" >&2; exit 1; }
export NIX_CONFIG=${NIX_CONFIG:-$'experimental-features = nix-command'}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/bench-check.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
check=${NIXSIGN_CHECK:-}
if [[ -z $check ]]; then
	go build -o "$tmp/nixsign-check" ./cmd/nixsign-check
	check=$tmp/nixsign-check
fi
key=$(cat testdata/vectors/public.key)
args=(--key "$key")
if [[ -n ${STORE:-} ]]; then args+=(--store "$STORE"); fi

now() { date +%s%N; }
loop() { # loop CMD...: runs CMD n times, prints the total wall time in ns
	local i s
	s=$(now)
	for ((i = 0; i < n; i++)); do "$@" >/dev/null 2>&1 || true; done
	echo $(($(now) - s))
}

# Warm up both (page cache, dynamic loader).
"$check" "${args[@]}" >/dev/null 2>&1 || true
nix show-config >/dev/null
tc=$(loop "$check" "${args[@]}")
tn=$(loop nix show-config)

echo "$(nix --version); nproc $(nproc); $(ls /proc | grep -c '^[0-9]') processes; $n runs each"
awk -v n="$n" -v tc="$tc" -v tn="$tn" 'BEGIN {
	printf "nixsign-check --key K   %8.2f ms per run\n", tc / n / 1e6
	printf "nix show-config         %8.2f ms per run\n", tn / n / 1e6
	printf "ratio nixsign-check / nix show-config = %.3f (target <= 0.333): %s\n", tc / tn, (tc * 3 <= tn ? "met" : "NOT met")
	exit (tc * 3 <= tn ? 0 : 1)
}'
