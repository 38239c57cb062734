#!/usr/bin/env bash
# Prints the vendorHash that nix/package.nix needs: the NAR hash (SRI) of
# the directory `go mod vendor` makes, computed with nixsign itself.
# With --check, fails unless nix/package.nix already has it.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go mod vendor -o "$tmp/vendor"
want=$(go run ./cmd/nixsign hash "$tmp/vendor")
if [ "${1:-}" = --check ]; then
  have=$(sed -n 's/.*vendorHash = "\(.*\)";/\1/p' nix/package.nix)
  if [ "$have" != "$want" ]; then
    echo "nix/package.nix: vendorHash is $have, want $want (run scripts/vendor-hash.sh)" >&2
    exit 1
  fi
  echo "ok vendorHash $want"
else
  echo "$want"
fi
