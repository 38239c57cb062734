// Command nixsign-hook is Nix's post-build-hook: run by Nix with no
// arguments after each build, it checks the signing key and signs every
// output in the store Nix built in. With --preflight it checks the key
// (and whether this machine trusts it) without building or signing, for CI
// before `flox publish`. It is `nixsign hook` in a binary that links only
// what the hook needs: no compressor, so that with push_to it hands the
// whole run over to `nixsign hook`, the nixsign installed next to it
// (symlinks resolved).
package main

import (
	"os"

	"github.com/nixsign/nixsign/cmd/internal/hookcmd"
)

func main() {
	os.Exit(hookcmd.Main(os.Args, os.Stdout, os.Stderr))
}
