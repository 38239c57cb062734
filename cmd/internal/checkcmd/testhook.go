package checkcmd

import (
	"os"
	"testing"

	"github.com/nixsign/nixsign/trust"
)

// testHook lets the testscript stories describe the daemon: in a test
// binary only, NIXSIGN_TEST_PROC names a directory read as /proc.
func testHook(opts *trust.Options) {
	if !testing.Testing() {
		return
	}
	if dir := os.Getenv("NIXSIGN_TEST_PROC"); dir != "" {
		opts.Machine.Procs = trust.ProcFS(dir, nil)
	}
}
