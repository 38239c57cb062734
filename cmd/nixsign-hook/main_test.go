package main

import (
	"strings"
	"testing"

	"github.com/nixsign/nixsign/cmd/internal/godeps"
)

// TestNoCompressors proves that nixsign-hook links no compressor, whose
// package initialisation (CRC tables) and size would slow down its start
// after every build: none of the packages of nix/cache/codecs is among its
// dependencies. (With push_to it hands the run over to nixsign.)
func TestNoCompressors(t *testing.T) {
	for _, d := range godeps.List(t, ".", "github.com/nixsign/nixsign/hook", "github.com/nixsign/nixsign/nix/cache") {
		switch {
		case strings.HasPrefix(d, "github.com/klauspost/"), strings.HasPrefix(d, "github.com/ulikunitz/"),
			strings.HasPrefix(d, "compress/"), strings.HasSuffix(d, "/nix/cache/codecs"), strings.Contains(d, "/nix/cache/internal/"),
			d == "hash/crc32", d == "hash/crc64":
			t.Errorf("nixsign-hook depends on %s", d)
		}
	}
}
