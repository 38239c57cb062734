package secretkey

import (
	"bytes"
	"testing"
)

// TestMangledSecretKey: every substring and one-byte change of a valid key
// either fails to parse or gives the same key bytes (under another name when
// the change is in the name; under the same name for changes after the
// padding, or a '\n' in place of it), and no error shows any of the key.
// A change in the key bytes always fails: it breaks the match between seed
// and public half. (Under the race detector, an eighth of the one-byte
// changes at each position.)
func TestMangledSecretKey(t *testing.T) {
	good := readVector(t, "secret.key")
	orig := mustParse(t, good)
	same := 0
	check := func(b []byte) {
		k, err := Parse(b)
		if err != nil {
			if k != nil {
				t.Fatalf("failed Parse returned %v", k)
			}
			assertNoSecret(t, "error", err.Error(), good)
			return
		}
		if *k.sk != *orig.sk {
			t.Fatalf("mangled key %q parses to other key bytes", b)
		}
		if k.Name() == orig.Name() {
			same++
		}
	}
	for i := 0; i <= len(good); i++ {
		for j := i; j <= len(good); j++ {
			if i > 0 || j < len(good) {
				check(good[i:j])
			}
		}
	}
	b := bytes.Clone(good)
	for i := range b {
		for c := 0; c < 256; c++ {
			if byte(c) != good[i] && (!raceEnabled || c%8 == i%8) {
				b[i] = byte(c)
				check(b)
			}
		}
		b[i] = good[i]
	}
	// Dropping the last '=' or both, the first '=' made '\n', the last one
	// made anything else at all, and the 15 other values of the last digit's
	// 4 dropped bits.
	if want := 2 + 1 + 255 + 15; same != want && !raceEnabled {
		t.Errorf("%d mangled keys parse, want %d", same, want)
	}
}
