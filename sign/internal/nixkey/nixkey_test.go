package nixkey

import (
	"bytes"
	"encoding/base64"
	"testing"
)

func TestSplit(t *testing.T) {
	for _, tt := range []struct {
		in, name, rest string
		ok             bool
	}{
		{"a:b", "a", "b", true},
		{"a:b:c", "a", "b:c", true},
		{"a:", "a", "", true},
		{":b", "", "", false},
		{"ab", "", "", false},
		{"", "", "", false},
	} {
		name, rest, ok := Split(tt.in)
		if name != tt.name || rest != tt.rest || ok != tt.ok {
			t.Errorf("Split(%q) = %q, %q, %v", tt.in, name, rest, ok)
		}
		bname, brest, bok := Split([]byte(tt.in))
		if string(bname) != tt.name || string(brest) != tt.rest || bok != tt.ok {
			t.Errorf("Split([]byte(%q)) = %q, %q, %v", tt.in, bname, brest, bok)
		}
	}
}

func TestDecode(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want string // base64 of the result, or "error"
	}{
		{"", ""},
		{"AAAA", "AAAA"},
		{"AAA=", "AAA="},
		{"AAA", "AAA="},        // no padding
		{"AAB", "AAA="},        // leftover bits dropped
		{"AA=junk!", "AA=="},   // everything after '=' ignored
		{"A\nA\nA\nA", "AAAA"}, // '\n' skipped
		{"=AAAA", ""},
		{"A", ""},
		{"AA A", "error"},
		{"AA\rA", "error"},
		{"AA-A", "error"},
		{"AA_A", "error"},
		{"AA\x00A", "error"},
		{"AA\xffA", "error"},
	} {
		dst := make([]byte, DecodedLen(len(tt.in)))
		n, err := Decode(dst, tt.in)
		got := base64.StdEncoding.EncodeToString(dst[:n])
		if err != nil {
			got = "error"
		}
		if got != tt.want {
			t.Errorf("Decode(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	var ce *CharError
	_, err := Decode(make([]byte, 3), "AA-A")
	if e, ok := err.(*CharError); !ok || e.Offset != 2 || e.Char() != '-' || e.Error() != "invalid base64 character at offset 2" {
		t.Errorf("error = %#v (%v)", err, ce)
	}
}

// FuzzDecode: where encoding/base64 accepts the input (and it has no '\r'),
// Decode agrees with it; where Decode accepts it, the canonical encoding of
// the result decodes to the same bytes.
func FuzzDecode(f *testing.F) {
	f.Add([]byte("E2Cwjzzc5syhlVsFZ2IWvbP+ttdz8yQ+eeDj50MEOJs="))
	f.Add([]byte("AA\nA="))
	f.Fuzz(func(t *testing.T, b []byte) {
		dst := make([]byte, DecodedLen(len(b)))
		n, err := Decode(dst, b)
		// encoding/base64 also skips '\r', which Nix rejects.
		if want, stdErr := base64.StdEncoding.DecodeString(string(b)); stdErr == nil && !bytes.ContainsRune(b, '\r') {
			if err != nil || !bytes.Equal(dst[:n], want) {
				t.Fatalf("Decode(%q) = %x, %v; encoding/base64 gives %x", b, dst[:n], err, want)
			}
		}
		if err != nil {
			return
		}
		canon := base64.StdEncoding.EncodeToString(dst[:n])
		dst2 := make([]byte, DecodedLen(len(canon)))
		n2, err := Decode(dst2, canon)
		if err != nil || !bytes.Equal(dst2[:n2], dst[:n]) {
			t.Fatalf("canonical %q: %x, %v", canon, dst2[:n2], err)
		}
	})
}
