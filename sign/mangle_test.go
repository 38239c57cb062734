package sign

import "testing"

// mangle calls f with every substring of s and every one-byte change of s
// (under the race detector, an eighth of the changes at each position).
func mangle(s string, f func(string)) {
	for i := 0; i < len(s); i++ {
		for j := i; j <= len(s); j++ {
			if i > 0 || j < len(s) {
				f(s[i:j])
			}
		}
	}
	b := []byte(s)
	for i := range b {
		orig := b[i]
		for c := 0; c < 256; c++ {
			if byte(c) != orig && (!raceEnabled || c%8 == i%8) {
				b[i] = byte(c)
				f(string(b))
			}
		}
		b[i] = orig
	}
}

// TestMangledPublicKey, after x/mod/sumdb/note: every substring and every
// one-byte change of a valid key either fails to parse, or parses to the
// same key (a change Nix tolerates: after the '=', in the dropped bits), or
// gives a key that verifies nothing the real key signed.
func TestMangledPublicKey(t *testing.T) {
	orig := testKey(t)
	v := checkOutput(t)[0]
	sig, _ := ParseSignature(v.sig)
	tolerated := 0
	mangle(orig.String(), func(s string) {
		k, err := ParsePublicKey(s)
		switch {
		case err != nil:
			if !k.IsZero() {
				t.Fatalf("ParsePublicKey(%q) failed but returned %v", s, k)
			}
		case k == orig:
			tolerated++
		case k.Verify(v.fingerprint, sig):
			t.Errorf("mangled key %q verifies", s)
		}
	})
	// Dropping the '=', changing it into '\n', and the 3 other values of the
	// 2 bits of the last digit that are dropped.
	if tolerated != 1+1+3 && !raceEnabled {
		t.Errorf("%d tolerated changes", tolerated)
	}
}

func TestMangledSignature(t *testing.T) {
	pk := testKey(t)
	keys := NewNixKeySet(pk)
	v := checkOutput(t)[3]
	orig, _ := ParseSignature(v.sig)
	mangle(v.sig, func(s string) {
		sig, err := ParseSignature(s)
		switch {
		case err != nil:
			if !sig.IsZero() {
				t.Fatalf("ParseSignature(%q) failed but returned %v", s, sig)
			}
		case sig != orig && pk.Verify(v.fingerprint, sig):
			t.Errorf("mangled signature %q verifies", s)
		}
		// VerifyString agrees with ParseSignature and Verify on what parses.
		if err == nil {
			return
		}
		if ok, _ := keys.VerifyString(v.fingerprint, s); ok {
			t.Errorf("VerifyString accepts mangled signature %q", s)
		}
	})
}
