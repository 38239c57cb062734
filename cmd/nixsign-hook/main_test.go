package main

import (
	"os/exec"
	"strings"
	"testing"
)

// TestNoCompressors proves that nixsign-hook links no compressor, whose
// package initialisation (CRC tables) and size would slow down its start
// after every build: none of the packages of nix/cache/codecs is among its
// dependencies. (With push_to it hands the run over to nixsign.)
func TestNoCompressors(t *testing.T) {
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
		switch {
		case strings.HasPrefix(d, "github.com/klauspost/"), strings.HasPrefix(d, "github.com/ulikunitz/"),
			strings.HasPrefix(d, "compress/"), strings.HasSuffix(d, "/nix/cache/codecs"), strings.Contains(d, "/nix/cache/internal/"),
			d == "hash/crc32", d == "hash/crc64":
			t.Errorf("nixsign-hook depends on %s", d)
		}
	}
	for _, want := range []string{"github.com/nixsign/nixsign/hook", "github.com/nixsign/nixsign/nix/cache"} {
		if !strings.Contains(" "+strings.Join(deps, " ")+" ", " "+want+" ") {
			t.Errorf("not a dependency: %s (is this the right package?)", want)
		}
	}
}
