{
  description = "nixsign: checked, fast and explainable Nix package signing";

  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";

  outputs = { self, nixpkgs }:
    let
      systems = [ "x86_64-linux" "aarch64-linux" "x86_64-darwin" "aarch64-darwin" ];
      forAll = f: nixpkgs.lib.genAttrs systems (system: f nixpkgs.legacyPackages.${system});
    in
    {
      packages = forAll (pkgs: rec {
        nixsign = pkgs.callPackage ./nix/package.nix { };
        default = nixsign;
      });

      apps = forAll (pkgs:
        let pkg = self.packages.${pkgs.stdenv.hostPlatform.system}.default;
        in {
          default = { type = "app"; program = "${pkg}/bin/nixsign"; };
          nixsign = { type = "app"; program = "${pkg}/bin/nixsign"; };
          nixsign-hook = { type = "app"; program = "${pkg}/bin/nixsign-hook"; };
          nixsign-check = { type = "app"; program = "${pkg}/bin/nixsign-check"; };
        });

      checks = forAll (pkgs: {
        # The package's checkPhase runs `go test ./...` (interop stories skip
        # inside the sandbox, where no Nix is available).
        nixsign = self.packages.${pkgs.stdenv.hostPlatform.system}.default;
      });

      nixosModules.default = import ./nix/module.nix;
      nixosModules.nixsign = self.nixosModules.default;

      devShells = forAll (pkgs: {
        default = pkgs.mkShell { packages = [ pkgs.go pkgs.gopls pkgs.nix ]; };
      });
    };
}
