package main

import (
	"os/exec"
	"strings"
	"testing"
)

// TestNoSigningCode proves that nixsign-check links no code that handles
// secret keys: package sign/secretkey is not among its dependencies.
func TestNoSigningCode(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go tool")
	}
	out, err := exec.Command(goTool, "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	deps := strings.Fields(string(out))
	if len(deps) < 10 {
		t.Fatalf("go list -deps gave %q", deps)
	}
	for _, d := range deps {
		if strings.HasSuffix(d, "/sign/secretkey") || strings.Contains(d, "/sign/secretkey/") || strings.HasSuffix(d, "/hook") {
			t.Errorf("nixsign-check depends on %s", d)
		}
	}
	for _, want := range []string{"github.com/nixsign/nixsign/trust", "github.com/nixsign/nixsign/sign"} {
		if !strings.Contains(" "+strings.Join(deps, " ")+" ", " "+want+" ") {
			t.Errorf("not a dependency: %s (is this the right package?)", want)
		}
	}
}
