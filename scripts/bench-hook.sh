#!/usr/bin/env bash
# bench-hook.sh: how long Nix's build loop waits for the post-build hook.
#
# For one registered output, signed through the daemon, it times nixsign-hook
# side by side with the usual shell hook that runs `nix store sign`, each on
# fresh (unsigned) paths, and prints the median and minimum wall times, their
# ratio, the CPU time of each hook's own processes (less sensitive to a busy
# machine than wall time; the daemon's work, the same for both, is not in it)
# and the peak RSS of each. Goal: nixsign-hook <= 1/3 of the
# shell hook's time, peak RSS <= 15 MB.
#
#   bash scripts/bench-hook.sh            # N=25 runs each
#   N=100 bash scripts/bench-hook.sh
#
# Needs Nix (nix-build, nix, nix-daemon), Go, GNU time (/usr/bin/time) and
# root or a trusted user. It uses the daemon on the default socket when it
# answers, else starts one on a private socket and stops it at the end. It
# builds 4N+2 tiny derivations (builder /bin/sh, unique per run) in
# /nix/store, and deletes them at the end.
set -euo pipefail

N=${N:-25}
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /tmp/nixsign-bench.XXXXXX)
daemon_pid=
drvs=() outs=()
cleanup() {
	# The benchmark's paths leave the store again (they are no GC roots).
	if ((${#outs[@]} + ${#drvs[@]})); then nix-store --delete "${outs[@]}" "${drvs[@]}" >/dev/null 2>&1 || true; fi
	if [ -n "$daemon_pid" ]; then kill "$daemon_pid" 2>/dev/null || true; fi
	rm -rf "$work"
}
trap cleanup EXIT

for p in nix nix-build nix-instantiate nix-daemon go; do
	command -v "$p" >/dev/null || { echo "bench-hook: $p not found" >&2; exit 1; }
done
[ -x /usr/bin/time ] || { echo "bench-hook: /usr/bin/time not found (apt-get install -y time)" >&2; exit 1; }

export NIX_CONFIG=$'experimental-features = nix-command\nsandbox = false\nsubstituters ='
if ! nix store ping --store daemon >/dev/null 2>&1; then
	# The daemon serves the local store: NIX_REMOTE=daemon would make it
	# connect to itself.
	export NIX_DAEMON_SOCKET_PATH=$work/daemon.sock
	env -u NIX_REMOTE nix-daemon >"$work/daemon.log" 2>&1 &
	daemon_pid=$!
	for _ in $(seq 50); do [ -S "$NIX_DAEMON_SOCKET_PATH" ] && break; sleep 0.1; done
	nix store ping --store daemon >/dev/null 2>&1 || { cat "$work/daemon.log" >&2; exit 1; }
	echo "started nix-daemon (pid $daemon_pid) on $NIX_DAEMON_SOCKET_PATH"
fi
export NIX_REMOTE=daemon

# The hook as it ships: static, stripped, built from this checkout.
(cd "$repo" && CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o "$work/nixsign-hook" ./cmd/nixsign-hook)
install -m 600 "$repo/testdata/vectors/secret.key" "$work/key.sec"

# The shell hook people write from the Nix manual.
cat >"$work/shell-hook.sh" <<'EOF'
#!/bin/sh
set -eu
exec nix store sign --key-file "$KEY" $OUT_PATHS
EOF
chmod +x "$work/shell-hook.sh"

# 4N+2 one-output derivations, built (unsigned) through the daemon.
count=$((4 * N + 2))
tag=$(basename "$work" | tr -c 'a-zA-Z0-9\n' -)
cat >"$work/bench.nix" <<EOF
builtins.genList (i: derivation {
  name = "nixsign-bench-$tag-\${toString i}";
  system = builtins.currentSystem;
  builder = "/bin/sh";
  args = [ "-c" "echo \${toString i} > \$out" ];
}) $count
EOF
mapfile -t drvs < <(nix-instantiate "$work/bench.nix" 2>"$work/build.log")
mapfile -t outs < <(nix-build --no-out-link "$work/bench.nix" 2>>"$work/build.log")
[ "${#outs[@]}" -eq "$count" ] || { echo "bench-hook: built ${#outs[@]} of $count paths" >&2; cat "$work/build.log" >&2; exit 1; }

# Both hooks see what a fixed Nix passes, DRV_PATH and OUT_PATHS (set per
# run), and find the key: the shell hook in $KEY, nixsign-hook in
# $NIXSIGN_KEY_FILE, with no config file of nixsign or flox.
export KEY="$work/key.sec" NIXSIGN_KEY_FILE="$work/key.sec" NIXSIGN_CONFIG= NIXSIGN_SYSTEM_CONFIG= \
	FLOX_CONFIG_DIR="$work/flox" FLOX_SYSTEM_CONFIG_DIR=

# run_hook HOOK I: one hook run on path I; sets took_us to its wall time in
# µs. It runs in this shell, not in a $(...) subshell, so that the time is
# that of the hook's own fork and exec, as when Nix runs it, without a
# subshell's fork on top (about a millisecond here, for either hook).
run_hook() {
	local t0 t1
	t0=${EPOCHREALTIME/./}
	DRV_PATH="${drvs[$2]}" OUT_PATHS="${outs[$2]}" "$1" >/dev/null 2>"$work/err" ||
		{ echo "bench-hook: $1 failed on ${outs[$2]}:" >&2; cat "$work/err" >&2; exit 1; }
	t1=${EPOCHREALTIME/./}
	took_us=$((${t1#0} - ${t0#0}))
}

shell_us=() nixsign_us=()
for i in $(seq 0 $((N - 1))); do
	run_hook "$work/shell-hook.sh" $((2 * i))
	shell_us+=("$took_us")
	run_hook "$work/nixsign-hook" $((2 * i + 1))
	nixsign_us+=("$took_us")
done

# CPU time (user + sys) of each hook's own processes over N more runs, from
# the times of this shell's children (the times builtin must run in this
# shell, not in a $(...) subshell), in µs.
children_us() {
	awk 'NR == 2 { split($1, u, /[ms]/); split($2, s, /[ms]/); printf "%d\n", (u[1] * 60 + u[2] + s[1] * 60 + s[2]) * 1e6 }' "$1"
}
cpu_pass() { # HOOK FIRST: N runs on paths FIRST, FIRST+2, ...; sets cpu_us
	local i
	times >"$work/times.before"
	for i in $(seq 0 $((N - 1))); do
		DRV_PATH="${drvs[$(($2 + 2 * i))]}" OUT_PATHS="${outs[$(($2 + 2 * i))]}" "$1" >/dev/null 2>&1
	done
	times >"$work/times.after"
	cpu_us=$((($(children_us "$work/times.after") - $(children_us "$work/times.before")) / N))
}
cpu_pass "$work/shell-hook.sh" $((2 * N))
shell_cpu=$cpu_us
cpu_pass "$work/nixsign-hook" $((2 * N + 1))
nixsign_cpu=$cpu_us

# Peak RSS (the largest process of the run: nix for the shell hook).
rss() {
	DRV_PATH="${drvs[$2]}" OUT_PATHS="${outs[$2]}" /usr/bin/time -f %M -o "$work/rss" "$1" >/dev/null 2>&1
	cat "$work/rss"
}
shell_rss=$(rss "$work/shell-hook.sh" $((4 * N)))
nixsign_rss=$(rss "$work/nixsign-hook" $((4 * N + 1)))

# Every path must now carry a signature by test-key-1.
unsigned=$(nix path-info --sigs "${outs[@]}" | grep -vc 'test-key-1:' || true)
[ "$unsigned" -eq 0 ] || { echo "bench-hook: $unsigned paths left unsigned" >&2; exit 1; }

median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : int((a[NR/2]+a[NR/2+1])/2))}'; }
ms() { awk -v u="$1" 'BEGIN {printf "%.2f ms", u/1000}'; }
s_med=$(median "${shell_us[@]}")
n_med=$(median "${nixsign_us[@]}")
s_min=$(printf '%s\n' "${shell_us[@]}" | sort -n | head -1)
n_min=$(printf '%s\n' "${nixsign_us[@]}" | sort -n | head -1)

echo "post-build hook, one registered output, signed through the daemon ($N runs each, fresh paths)"
printf '  %-28s wall median %-10s min %-10s CPU %-10s peak RSS %s KB\n' "shell hook (nix store sign)" \
	"$(ms "$s_med")" "$(ms "$s_min")" "$(ms "$shell_cpu")" "$shell_rss"
printf '  %-28s wall median %-10s min %-10s CPU %-10s peak RSS %s KB\n' "nixsign-hook" \
	"$(ms "$n_med")" "$(ms "$n_min")" "$(ms "$nixsign_cpu")" "$nixsign_rss"
awk -v n="$n_med" -v s="$s_med" -v nm="$n_min" -v sm="$s_min" -v nc="$nixsign_cpu" -v sc="$shell_cpu" 'BEGIN {
	printf "  ratio nixsign-hook / shell hook: %.2f (medians), %.2f (minimums), %.2f (CPU); target <= 0.33\n", n/s, nm/sm, nc/sc }'
echo "  load average: $(cut -d' ' -f1-3 /proc/loadavg)"
