#!/usr/bin/env bash
# bench-store.sh: nixsign against real Nix on the store operations, in one run,
# and the ratios (Nix's time / nixsign's time; above 1 means nixsign is faster):
#
#   sign    1,000 registered, input-addressed paths (one derivation with 1,000
#           outputs, each referring to its "out"), through the daemon:
#           `nixsign sign --store daemon` vs `nix store sign` through the same
#           daemon (NIX_REMOTE=daemon), and vs `nix store sign` on the local
#           store (root's default, no daemon in the way);
#   verify  the same 1,000 paths with contents (mixed sizes, 1 KiB to 256 KiB)
#           and one trusted signature each: `nixsign verify -n 1` (auto store:
#           the daemon) vs `nix store verify -n 1` on root's local store (its
#           own SQLite, no daemon) and through the same daemon, all on all
#           cores; with the CPU time (user + sys) of each run's processes,
#           the daemon's worker included where one serves the run;
#   push    a closure of about 500 MB (four 120 MiB paths of real binaries and
#           a top path referring to them) into a fresh file:// cache:
#           `nixsign push --compression zstd` vs
#           `nix copy --to 'file://DIR?compression=zstd&secret-key=...'`,
#           with the peak RSS of each (/usr/bin/time -v, else /proc).
#
# Each timing is the best of RUNS runs (default 3), with a warm page cache,
# and each peak RSS the largest; the spread of all runs and the load average
# follow, since a shared machine makes single runs unreliable;
# nixsign runs first in odd runs and second in even runs. Signing uses a fresh
# key for each run so that every run adds 1,000 signatures.
#
# Usage: sudo scripts/bench-store.sh      (Linux, root, real Nix, Go)
# Environment: RUNS (default 3); NIXSIGN: use this binary instead of building
#              ./cmd/nixsign; PUSH_MIB (default 120): size of each big path;
#              SKIP: space-separated parts to skip (sign verify push).
set -euo pipefail

cd "$(dirname "$0")/.."
for c in nix nix-build nix-store nix-daemon go; do
	command -v "$c" >/dev/null || { echo "bench-store: $c is not in PATH" >&2; exit 1; }
done
[[ -x /usr/bin/time ]] || { echo "bench-store: needs GNU time (apt-get install -y time)" >&2; exit 1; }
[[ $(id -u) == 0 ]] || { echo "bench-store: run as root (the local store and a private daemon)" >&2; exit 1; }
unset NIX_REMOTE
export LC_ALL=C
export NIX_CONFIG=$'experimental-features = nix-command flakes\nsandbox = false\nsubstituters ='
RUNS=${RUNS:-3}
PUSH_MIB=${PUSH_MIB:-120}
SKIP=${SKIP:-}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/bench-store.XXXXXX")
daemon_pid=
built=()
cleanup() {
	[[ -n $daemon_pid ]] && kill "$daemon_pid" 2>/dev/null && wait "$daemon_pid" 2>/dev/null
	# The benchmark's paths (1,000 small ones, ~500 MB of big ones) leave
	# the store again.
	((${#built[@]})) && nix-store --delete "${built[@]}" >/dev/null 2>&1
	rm -rf "$tmp"
	return 0
}
trap cleanup EXIT

nixsign=${NIXSIGN:-}
if [[ -z $nixsign ]]; then
	go build -o "$tmp/nixsign" ./cmd/nixsign
	nixsign=$tmp/nixsign
fi
nixsign=$(realpath "$nixsign")

# A private daemon, so that the numbers do not depend on another one's load.
export NIX_DAEMON_SOCKET_PATH=$tmp/daemon.sock
nix-daemon >"$tmp/daemon.log" 2>&1 &
daemon_pid=$!
for _ in $(seq 100); do [[ -S $NIX_DAEMON_SOCKET_PATH ]] && break; sleep 0.1; done
[[ -S $NIX_DAEMON_SOCKET_PATH ]] || { echo "bench-store: nix-daemon did not start" >&2; exit 1; }

now() { date +%s.%N; }
elapsed() { awk -v a="$(now)" -v b="$1" 'BEGIN { printf "%.4f", a - b }'; }
# best VAR SECONDS: keep the smaller, and every sample in VAR_all.
best() {
	local all=${1}_all
	printf -v "$all" '%s %s' "${!all:-}" "$2"
	if [[ -z ${!1} ]] || awk -v a="$2" -v b="${!1}" 'BEGIN { exit !(a < b) }'; then printf -v "$1" '%s' "$2"; fi
}
# spread VAR: the samples of VAR as "min-max s, median M s".
spread() {
	local all=${1}_all
	tr ' ' '\n' <<<"${!all:-}" | grep . | sort -g |
		awk '{ a[NR] = $1 } END { m = NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2; printf "%.3f-%.3f s, median %.3f s", a[1], a[NR], m }'
}
load() { cut -d' ' -f1-3 /proc/loadavg; }
# most VAR N: keep the larger.
most() { if [[ -z ${!1} ]] || (($2 > ${!1})); then printf -v "$1" '%s' "$2"; fi; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
fmt() { printf '%.3f s' "$1"; }
skip() { [[ " $SKIP " == *" $1 "* ]]; }
# cpu VAR COMMAND...: runs COMMAND and sets VAR to the CPU seconds (user +
# sys) of its processes and of the private daemon's worker that served it:
# the command's from GNU time, the worker's from the daemon's reaped
# children (fields 14-17 of /proc/PID/stat, in clock ticks), read once the
# daemon has no worker left. The script's own processes are not counted.
hz=$(getconf CLK_TCK)
daemon_cpu() {
	while pgrep -P "$daemon_pid" >/dev/null; do sleep 0.02; done
	awk -v hz="$hz" '{ sub(/^.*\) /, ""); printf "%.4f", ($12 + $13 + $14 + $15) / hz }' "/proc/$daemon_pid/stat"
}
cpu() {
	local var=$1 before after
	shift
	before=$(daemon_cpu)
	/usr/bin/time -f '%U %S' -o "$tmp/cpu" "$@"
	after=$(daemon_cpu)
	printf -v "$var" '%s' "$(awk -v a="$after" -v b="$before" '{ printf "%.4f", $1 + $2 + a - b }' "$tmp/cpu")"
}
keygen() { # keygen NAME: writes $tmp/NAME.sec and $tmp/NAME.pub
	nix key generate-secret --key-name "$1" >"$tmp/$1.sec"
	chmod 600 "$tmp/$1.sec"
	nix key convert-secret-to-public <"$tmp/$1.sec" >"$tmp/$1.pub"
}

id=$(basename "$tmp")
echo "bench-store: $(nix --version), $(nproc) cores, nixsign $nixsign, best of $RUNS runs, load average $(load)"

# 1,000 paths: outputs o0..o999 of one derivation, each referring to "out".
cat >"$tmp/many.nix" <<'EOF'
{ n, tag }:
derivation {
  name = "bench-many-${tag}";
  system = builtins.currentSystem;
  builder = "/bin/sh";
  outputs = [ "out" ] ++ builtins.genList (i: "o${toString i}") n;
  args = [ "-c" ''
    echo ${tag} > $out
    i=0
    while [ $i -lt ${toString n} ]; do
      eval "p=\$o$i"
      { echo "$i $out"; /usr/bin/head -c $(( (i % 256 + 1) * 1024 )) /dev/urandom; } > $p
      i=$((i+1))
    done
  '' ];
}
EOF
if ! skip sign || ! skip verify; then
	echo "building 1,000 paths ..."
	drv=$(nix-instantiate "$tmp/many.nix" --arg n 1000 --argstr tag "$id" 2>/dev/null)
	nix-store --realise "$drv" >/dev/null 2>&1
	nix-store -q --outputs "$drv" | grep -- '-o[0-9]*$' >"$tmp/paths"
	built+=($(nix-store -q --outputs "$drv") "$drv")
	npaths=$(wc -l <"$tmp/paths")
	mib=$(du -scm $(cat "$tmp/paths") | tail -1 | cut -f1)
fi

if ! skip sign; then
	echo "sign: $npaths paths ..."
	s_ours= s_nixd= s_nixl=
	for ((r = 1; r <= RUNS; r++)); do
		keygen "ours-$r"
		keygen "nixd-$r"
		keygen "nixl-$r"
		run_ours() {
			local t=$(now)
			"$nixsign" sign --store daemon --key-file "$tmp/ours-$r.sec" $(cat "$tmp/paths") 2>"$tmp/out"
			grep -q "^added $npaths signatures$" "$tmp/out" || { cat "$tmp/out" >&2; exit 1; }
			best s_ours "$(elapsed "$t")"
		}
		run_nix() {
			local t=$(now)
			NIX_REMOTE=daemon nix store sign --key-file "$tmp/nixd-$r.sec" $(cat "$tmp/paths") 2>"$tmp/out"
			grep -q "^added $npaths signatures$" "$tmp/out" || { cat "$tmp/out" >&2; exit 1; }
			best s_nixd "$(elapsed "$t")"
			t=$(now)
			nix store sign --key-file "$tmp/nixl-$r.sec" $(cat "$tmp/paths") 2>"$tmp/out"
			grep -q "^added $npaths signatures$" "$tmp/out" || { cat "$tmp/out" >&2; exit 1; }
			best s_nixl "$(elapsed "$t")"
		}
		if ((r % 2)); then run_ours; run_nix; else run_nix; run_ours; fi
	done
fi

if ! skip verify; then
	echo "verify: $npaths paths, $mib MiB ..."
	keygen verify-key
	nix store sign --key-file "$tmp/verify-key.sec" $(cat "$tmp/paths") 2>/dev/null
	keys=$(cat "$tmp/verify-key.pub")
	v_ours= v_nix= v_nixd= c_ours= c_nix= c_nixd=
	for ((r = 1; r <= RUNS; r++)); do
		# Each timing includes GNU time's fork and exec, on both sides.
		run_ours() {
			local t=$(now) c
			cpu c "$nixsign" verify -n 1 --trusted-public-keys "$keys" $(cat "$tmp/paths")
			best v_ours "$(elapsed "$t")"
			best c_ours "$c"
		}
		run_nix() {
			local t=$(now) c
			cpu c nix store verify -n 1 --trusted-public-keys "$keys" $(cat "$tmp/paths") 2>/dev/null
			best v_nix "$(elapsed "$t")"
			best c_nix "$c"
			t=$(now)
			NIX_REMOTE=daemon cpu c nix store verify -n 1 --trusted-public-keys "$keys" $(cat "$tmp/paths") 2>/dev/null
			best v_nixd "$(elapsed "$t")"
			best c_nixd "$c"
		}
		if ((r % 2)); then run_ours; run_nix; else run_nix; run_ours; fi
	done
fi

# peak RSS of a command, in MiB, into the variable named by $1.
rss() {
	local var=$1
	shift
	if [[ -x /usr/bin/time ]]; then
		/usr/bin/time -v "$@" 2>"$tmp/time.out" >/dev/null || { cat "$tmp/time.out" >&2; exit 1; }
		printf -v "$var" '%s' $(($(sed -n 's/.*Maximum resident set size (kbytes): //p' "$tmp/time.out") / 1024))
	else
		"$@" >/dev/null &
		local pid=$! peak=0 cur
		while kill -0 $pid 2>/dev/null; do
			cur=$(sed -n 's/^VmHWM: *\([0-9]*\) kB/\1/p' /proc/$pid/status 2>/dev/null || echo 0)
			((cur > peak)) && peak=$cur
			sleep 0.05
		done
		wait $pid
		printf -v "$var" '%s' $((peak / 1024))
	fi
}

if ! skip push; then
	cat >"$tmp/big.nix" <<'EOF'
{ tag, mib }:
let
  leaf = i: derivation {
    name = "bench-big-${tag}-${toString i}";
    system = builtins.currentSystem;
    builder = "/bin/sh";
    # Real binaries (they compress like a typical closure), a different
    # slice for each path.
    args = [ "-c" ''
      /usr/bin/mkdir -p $out/lib
      /usr/bin/find /usr/lib /usr/bin -type f -size +16k 2>/dev/null | /usr/bin/sort | /usr/bin/xargs /usr/bin/cat 2>/dev/null \
        | /usr/bin/tail -c +$(( ${toString i} * 7340033 + 1 )) | /usr/bin/head -c $(( ${toString mib} * 1048576 )) > $out/lib/blob
      echo ${tag} > $out/tag
    '' ];
  };
in derivation {
  name = "bench-big-${tag}-top";
  system = builtins.currentSystem;
  builder = "/bin/sh";
  args = [ "-c" "echo ${leaf 0} ${leaf 1} ${leaf 2} ${leaf 3} > $out" ];
}
EOF
	echo "push: building the closure ..."
	top=$(nix-build --no-out-link "$tmp/big.nix" --argstr tag "$id" --arg mib "$PUSH_MIB" 2>/dev/null)
	built+=($(nix-store -qR "$top"))
	closure_mib=$(du -scm $(nix-store -qR "$top") | tail -1 | cut -f1)
	echo "push: $(nix-store -qR "$top" | wc -l) paths, $closure_mib MiB ..."
	keygen push-key
	p_ours= p_nix= rss_ours= rss_nix=
	for ((r = 1; r <= RUNS; r++)); do
		run_ours() {
			rm -rf "$tmp/c-ours"
			local t=$(now) m
			rss m "$nixsign" push --compression zstd --to "file://$tmp/c-ours" --key-file "$tmp/push-key.sec" "$top"
			best p_ours "$(elapsed "$t")"
			most rss_ours "$m"
		}
		run_nix() {
			rm -rf "$tmp/c-nix"
			local t=$(now) m
			rss m nix copy --to "file://$tmp/c-nix?compression=zstd&secret-key=$tmp/push-key.sec" "$top"
			best p_nix "$(elapsed "$t")"
			most rss_nix "$m"
		}
		if ((r % 2)); then run_ours; run_nix; else run_nix; run_ours; fi
	done
	# Both caches serve the same paths to Nix.
	nix store verify --store "file://$tmp/c-ours" -r -n 1 --trusted-public-keys "$(cat "$tmp/push-key.pub")" "$top" 2>/dev/null
	nix store verify --store "file://$tmp/c-nix" -r -n 1 --trusted-public-keys "$(cat "$tmp/push-key.pub")" "$top" 2>/dev/null
	ours_mib=$(du -sm "$tmp/c-ours/nar" | cut -f1)
	nix_mib=$(du -sm "$tmp/c-nix/nar" | cut -f1)
fi

echo
echo "load average at the end: $(load) (the timings are only as steady as the machine)"
echo "results (best of $RUNS; ratio = Nix / nixsign)"
if ! skip sign; then
	printf 'sign    %d paths       nixsign sign --store daemon %s | nix store sign via daemon %s (%sx) | nix store sign local %s (%sx)\n' \
		"$npaths" "$(fmt "$s_ours")" "$(fmt "$s_nixd")" "$(ratio "$s_nixd" "$s_ours")" "$(fmt "$s_nixl")" "$(ratio "$s_nixl" "$s_ours")"
fi
if ! skip verify; then
	printf 'verify  %d paths %d MiB nixsign verify %s | nix store verify local %s (%sx) | nix store verify via daemon %s (%sx)\n' \
		"$npaths" "$mib" "$(fmt "$v_ours")" "$(fmt "$v_nix")" "$(ratio "$v_nix" "$v_ours")" "$(fmt "$v_nixd")" "$(ratio "$v_nixd" "$v_ours")"
	printf '        CPU (user+sys, least of the runs): nixsign + daemon worker %s | nix local %s | nix + daemon worker %s\n' \
		"$(fmt "$c_ours")" "$(fmt "$c_nix")" "$(fmt "$c_nixd")"
fi
if ! skip push; then
	printf 'push    %d MiB closure  nixsign push %s | nix copy %s (%sx); peak RSS nixsign %d MiB, nix %d MiB; nar/ nixsign %d MiB, nix %d MiB\n' \
		"$closure_mib" "$(fmt "$p_ours")" "$(fmt "$p_nix")" "$(ratio "$p_nix" "$p_ours")" "$rss_ours" "$rss_nix" "$ours_mib" "$nix_mib"
fi
echo "spread of all $RUNS runs (min-max, median)"
if ! skip sign; then
	echo "sign    nixsign $(spread s_ours) | nix via daemon $(spread s_nixd) | nix local $(spread s_nixl)"
fi
if ! skip verify; then
	echo "verify  nixsign $(spread v_ours) | nix local $(spread v_nix) | nix via daemon $(spread v_nixd)"
fi
if ! skip push; then
	echo "push    nixsign $(spread p_ours) | nix $(spread p_nix)"
fi
