#!/usr/bin/env bash
# Checks the Nix files without nixpkgs (which CI cannot fetch): every file
# parses, and the flake's outputs and the NixOS module evaluate against
# small stand-ins for nixpkgs (see nix/tests/).
set -euo pipefail
cd "$(dirname "$0")/.."
for f in flake.nix nix/*.nix nix/tests/*.nix; do
  nix-instantiate --parse "$f" >/dev/null
done
for t in nix/tests/*-eval.nix; do
  out=$(nix-instantiate --eval --strict "$t")
  [ "$out" = true ] || { echo "$t: $out"; exit 1; }
  echo "ok $t"
done
