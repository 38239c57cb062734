// Command nixsign makes Nix package signing checked, fast and explainable:
// keys, NAR hashes, signing, verification, binary caches, trust checks and
// the post-build hook. See the README for every command and exit code.
package main

import (
	"io"
	"os"

	"github.com/nixsign/nixsign/cmd/internal/cli"
	_ "github.com/nixsign/nixsign/nix/cache/codecs" // zstd, xz, bzip2 and gzip caches
	ucli "github.com/urfave/cli/v2"
)

func main() {
	os.Exit(run(os.Args, os.Stdout, os.Stderr))
}

// run runs nixsign with args and returns its exit code.
func run(args []string, stdout, stderr io.Writer) int {
	return cli.Run(newApp(), args, stdout, stderr)
}

// newApp returns the nixsign application with every command.
func newApp() *ucli.App {
	return &ucli.App{
		Name:  "nixsign",
		Usage: "checked, fast and explainable Nix package signing",
		Commands: []*ucli.Command{
			keyCommand,
			hashCommand,
			signCommand,
			verifyCommand,
			pushCommand,
			trustCommand,
			configCommand,
			hookCommand,
			demoCommand,
		},
	}
}
