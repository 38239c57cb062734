// Command nixsign-check answers: does this machine really trust a key?
// It is `nixsign trust check` in a binary that links no signing code and
// never opens a secret key; see package checkcmd for its flags, output and
// exit codes.
package main

import (
	"os"

	"github.com/nixsign/nixsign/cmd/internal/checkcmd"
)

func main() {
	os.Exit(checkcmd.Main(os.Args, os.Stdout, os.Stderr))
}
