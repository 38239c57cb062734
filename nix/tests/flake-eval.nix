# Evaluates flake.nix's outputs without fetching nixpkgs, with a stand-in
# that records what the flake asks of it.
# Run: nix-instantiate --eval --strict nix/tests/flake-eval.nix (prints true).
let
  flake = import ../../flake.nix;
  systems = [ "x86_64-linux" "aarch64-linux" "x86_64-darwin" "aarch64-darwin" ];
  pkgsFor = system: {
    stdenv.hostPlatform.system = system;
    callPackage = path: args: { type = "derivation"; outPath = "/nix/store/00000000000000000000000000000000-nixsign"; inherit path system; };
    mkShell = args: { type = "derivation"; shell = args; };
    go = "go"; gopls = "gopls"; nix = "nix";
  };
  nixpkgs = {
    lib.genAttrs = names: f: builtins.listToAttrs (map (n: { name = n; value = f n; }) names);
    legacyPackages = builtins.listToAttrs (map (s: { name = s; value = pkgsFor s; }) systems);
  };
  self = flake.outputs { inherit self nixpkgs; };
  check = name: cond: if cond then true else throw "flake-eval: ${name}";
  sys = "x86_64-linux";
in
builtins.all (x: x) [
  (check "inputs" (flake.inputs.nixpkgs.url == "github:NixOS/nixpkgs/nixos-unstable"))
  (check "every system has a package" (builtins.attrNames self.packages == builtins.sort builtins.lessThan systems))
  (check "default package is nix/package.nix" (baseNameOf self.packages.${sys}.default.path == "package.nix"))
  (check "apps" (builtins.attrNames self.apps.${sys} == [ "default" "nixsign" "nixsign-check" "nixsign-hook" ]))
  (check "hook app" (self.apps.${sys}.nixsign-hook.program == "/nix/store/00000000000000000000000000000000-nixsign/bin/nixsign-hook"))
  (check "checks" (self.checks.${sys} ? nixsign))
  (check "module" (builtins.isFunction self.nixosModules.default))
]
