// Package godeps lists what a command links, for tests that prove a binary
// leaves a package out (nixsign-check links no secret-key code,
// nixsign-hook no compressor).
package godeps

import (
	"os/exec"
	"strings"
	"testing"
)

// List returns the import paths `go list -deps PKG` prints, run in the
// current directory; the test is skipped when there is no go tool. must are
// packages that have to be among them, which shows that the right package
// was listed.
func List(t testing.TB, pkg string, must ...string) []string {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go tool")
	}
	out, err := exec.Command(goTool, "list", "-deps", pkg).Output()
	if err != nil {
		t.Fatalf("go list -deps %s: %v", pkg, err)
	}
	deps := strings.Fields(string(out))
	set := make(map[string]bool, len(deps))
	for _, d := range deps {
		set[d] = true
	}
	for _, m := range must {
		if !set[m] {
			t.Fatalf("%s is not a dependency of %s (is this the right package?)", m, pkg)
		}
	}
	return deps
}
