# The nixsign package: three static binaries built from this repository.
# vendorHash is the NAR hash of `go mod vendor`; scripts/vendor-hash.sh
# recomputes it (with nixsign itself) whenever go.sum changes.
{ lib, buildGoModule }:

buildGoModule {
  pname = "nixsign";
  version = "0.1.0";
  src = lib.cleanSource ./..;
  vendorHash = "sha256-1JCBJFzx6MYdOHjFYpT9uWV9mvt/nJpCmu6QBcDDFFE=";
  subPackages = [ "cmd/nixsign" "cmd/nixsign-hook" "cmd/nixsign-check" ];
  env.CGO_ENABLED = 0;
  ldflags = [ "-s" "-w" "-X github.com/nixsign/nixsign/cmd/internal/diag.Version=0.1.0" ];
  meta = {
    description = "Checked, fast and explainable Nix package signing";
    license = lib.licenses.mit;
    mainProgram = "nixsign";
  };
}
