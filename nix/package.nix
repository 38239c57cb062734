# The nixsign package: three static binaries built from this repository.
# vendorHash is the NAR hash of `go mod vendor`; scripts/vendor-hash.sh
# recomputes it (with nixsign itself) whenever go.sum changes.
{ lib, buildGoModule }:

buildGoModule {
  pname = "nixsign";
  version = "0.1.0";
  src = lib.cleanSource ./..;
  vendorHash = "sha256-VbDHb/6vJN6/B3d0v0REm0deKd2hvRVi1F4mxfVoa48=";
  subPackages = [ "cmd/nixsign" "cmd/nixsign-hook" "cmd/nixsign-check" ];
  env.CGO_ENABLED = 0;
  ldflags = [ "-s" "-w" "-X github.com/nixsign/nixsign/cmd/internal/diag.Version=0.1.0" ];
  meta = {
    description = "Checked, fast and explainable Nix package signing";
    license = lib.licenses.mit;
    mainProgram = "nixsign";
  };
}
