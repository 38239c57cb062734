package hash

import (
	"os"
	"strings"
	"testing"
)

// TestVectors checks every encoding against expected-hashes.txt, as printed by
// real Nix 2.8.0: "path narSize sha256:nix32 sri base16".
func TestVectors(t *testing.T) {
	data, err := os.ReadFile("../../testdata/vectors/expected-hashes.txt")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) != 5 || strings.HasPrefix(line, "#") {
			continue
		}
		n++
		nix32, sri, b16 := f[2], f[3], f[4]
		for _, in := range []string{nix32, sri, "sha256:" + b16, "sha256:" + strings.TrimPrefix(sri, "sha256-")} {
			h, err := Parse(in)
			if err != nil {
				t.Fatalf("Parse(%q): %v", in, err)
			}
			if h.String() != nix32 || h.SRI() != sri || h.Base16() != b16 {
				t.Errorf("Parse(%q) = %s %s %s; want %s %s %s", in, h, h.SRI(), h.Base16(), nix32, sri, b16)
			}
		}
	}
	if n != 5 {
		t.Fatalf("%d vectors, want 5", n)
	}
}

func TestParseRejects(t *testing.T) {
	good := "sha256:00zns3gj9hwz2a4b0i07y7nmxybq59lh24bl3xsxblcl6333mjil"
	for _, s := range []string{
		"", "00zns3gj9hwz2a4b0i07y7nmxybq59lh24bl3xsxblcl6333mjil", // no prefix
		"sha257:00zns3gj9hwz2a4b0i07y7nmxybq59lh24bl3xsxblcl6333mjil",
		good[:len(good)-1], good + "0", // wrong length
		"sha256:00zns3gj9hwz2a4b0i07y7nmxybq59lh24bl3xsxblcl6333mjie", // e not in alphabet
		"sha256:34CA3AC63094D1D5751F741101692A78F95EEDF10744B088129FC324DFD0F603",
		"sha256-NMo6xjCU0dV1H3QRAWkqePle7fEHRLCIEp/DJN/Q9g=",
		"sha256-NMo6xjCU0dV1H3QRAWkqePle7fEHRLCIEp/DJN/Q9gM",
		"md5:00zns3gj9hwz2a4b0i07y7nmxybq59lh24bl3xsxblcl6333mjil",
	} {
		if h, err := Parse(s); err == nil {
			t.Errorf("Parse(%q) = %v, want error", s, h)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add("sha256:00zns3gj9hwz2a4b0i07y7nmxybq59lh24bl3xsxblcl6333mjil")
	f.Add("sha256-NMo6xjCU0dV1H3QRAWkqePle7fEHRLCIEp/DJN/Q9gM=")
	f.Add("sha1:0000000000000000000000000000000000000000")
	f.Fuzz(func(t *testing.T, s string) {
		h, err := Parse(s)
		if err != nil {
			if !h.IsZero() {
				t.Fatalf("failed parse returned %v", h)
			}
			return
		}
		for _, enc := range []string{h.String(), h.SRI(), h.Algo.String() + ":" + h.Base16(), h.Algo.String() + ":" + h.Base64()} {
			h2, err := Parse(enc)
			if err != nil || !h2.Equal(h) {
				t.Fatalf("%q -> %q -> %v, %v", s, enc, h2, err)
			}
		}
	})
}
