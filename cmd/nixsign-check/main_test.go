package main

import (
	"strings"
	"testing"

	"github.com/nixsign/nixsign/cmd/internal/godeps"
)

// TestNoSigningCode proves that nixsign-check links no code that handles
// secret keys: package sign/secretkey is not among its dependencies.
func TestNoSigningCode(t *testing.T) {
	for _, d := range godeps.List(t, ".", "github.com/nixsign/nixsign/trust", "github.com/nixsign/nixsign/sign") {
		if strings.HasSuffix(d, "/sign/secretkey") || strings.Contains(d, "/sign/secretkey/") || strings.HasSuffix(d, "/hook") {
			t.Errorf("nixsign-check depends on %s", d)
		}
	}
}
