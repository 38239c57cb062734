#!/usr/bin/env bash
# bench-hash.sh: compare `nixsign hash` with `nix hash path` on the same inputs,
# in one run: (a) one large path, (b) a batch of 50 paths of mixed sizes hashed
# in a single invocation of each tool. Each timing is the best of 3 runs with a
# warm page cache; both tools must print the same hashes.
#
# Usage: scripts/bench-hash.sh            (Linux, GNU coreutils; needs nix and go)
# Environment: LARGE_MB (default 1024) size of the large file;
#              NIXSIGN   use this nixsign binary instead of building ./cmd/nixsign.
set -euo pipefail

cd "$(dirname "$0")/.."
command -v nix >/dev/null || { echo "bench-hash: nix is not in PATH" >&2; exit 1; }
export NIX_CONFIG=$'experimental-features = nix-command'

tmp=$(mktemp -d "${TMPDIR:-/tmp}/bench-hash.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

nixsign=${NIXSIGN:-}
if [[ -z $nixsign ]]; then
	go build -o "$tmp/nixsign" ./cmd/nixsign
	nixsign=$tmp/nixsign
fi

# A 1 MiB random block, repeated: sha256 costs the same on any data.
head -c 1048576 /dev/urandom >"$tmp/block"
mkfile() { # mkfile MiB PATH
	local i
	for ((i = 0; i < $1; i++)); do cat "$tmp/block"; done >"$2"
}
mktree() { # mktree FILES PATH
	local i
	mkdir -p "$2/sub"
	for ((i = 0; i < $1; i++)); do printf 'file %d\n' "$i" >"$2/sub/f$i"; done
	chmod +x "$2/sub/f0"
	ln -s sub/f0 "$2/link"
}

echo "creating inputs in $tmp ..."
large=$tmp/large
mkfile "${LARGE_MB:-1024}" "$large"
batch=()
for ((i = 0; i < 50; i++)); do
	p=$tmp/batch/p$i
	mkdir -p "$tmp/batch"
	case $((i % 5)) in
	0) mkfile 32 "$p" ;;
	1 | 2) mkfile 2 "$p" ;;
	*) mktree 200 "$p" ;;
	esac
	batch+=("$p")
done
sync # so that writeback does not compete with the timings

now() { date +%s%N; }
best3() { # best3 CMD...: prints the best wall time of 3 runs, in ns
	local best= i s t
	for i in 1 2 3; do
		s=$(now)
		"$@" >/dev/null
		t=$(($(now) - s))
		if [[ -z $best || $t -lt $best ]]; then best=$t; fi
	done
	echo "$best"
}
bytes() { du -sb --apparent-size "$@" | awk '{s += $1} END {print s}'; }

compare() { # compare LABEL PATH...
	local label=$1
	shift
	# Warm the cache, and check that both agree.
	local a b
	a=$(nix hash path --type sha256 --base16 "$@")
	b=$("$nixsign" hash --base16 "$@")
	if [[ $a != "$b" ]]; then
		echo "bench-hash: $label: nixsign and nix disagree:" >&2
		diff <(echo "$a") <(echo "$b") >&2 || true
		exit 1
	fi
	local tn ts size
	tn=$(best3 nix hash path --type sha256 --base16 "$@")
	ts=$(best3 "$nixsign" hash --base16 "$@")
	size=$(bytes "$@")
	awk -v l="$label" -v n="$#" -v tn="$tn" -v ts="$ts" -v s="$size" 'BEGIN {
		printf "%-28s %3d path(s) %7.0f MB   nix %7.3f s (%5.2f GB/s)   nixsign %7.3f s (%5.2f GB/s)   ratio nix/nixsign %.2fx\n",
			l, n, s / 1e6, tn / 1e9, s / tn, ts / 1e9, s / ts, tn / ts
	}'
}

echo "nproc $(nproc); $(nix --version); sha-ni: $(grep -qw sha_ni /proc/cpuinfo && echo yes || echo no)"
compare "(a) one large path" "$large"
compare "(b) batch of 50 paths" "${batch[@]}"
