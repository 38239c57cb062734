package sign

import "testing"

func FuzzParsePublicKey(f *testing.F) {
	f.Add("test-key-1:E2Cwjzzc5syhlVsFZ2IWvbP+ttdz8yQ+eeDj50MEOJs=")
	f.Add("test-key-1:E2Cwjzzc5syhlVsFZ2IWvbP+ttdz8yQ+eeDj50MEOJs\n")
	f.Add(" a:E2Cwjzzc5syhlVsFZ2Iw\nvbP+ttdz8yQ+eeDj50MEOJs=junk")
	f.Add("gbck-1:vjwJQPJcQdsdSxtngRhcgA2yPKaHo1xPGQ99uHi2BOA=")
	f.Add("a:b:c")
	f.Fuzz(func(t *testing.T, s string) {
		k, err := ParsePublicKey(s)
		if err != nil {
			if !k.IsZero() {
				t.Fatalf("failed parse returned %v", k)
			}
			return
		}
		k2, err := ParsePublicKey(k.String())
		if err != nil || k2 != k {
			t.Fatalf("%q -> %q -> %v, %v", s, k, k2, err)
		}
	})
}

func FuzzParseSignature(f *testing.F) {
	f.Add("test-key-1:5F1x2UaCBnCAgLVnC0lWhtBkaUPM7b9ejglSfR/bDdBWFbyeTU3SdbKiVJPHRPFvbNyJ8dI7hRxECplkJVScDw==")
	f.Add("test-key-1:5F1x2UaCBnCAgLVnC0lWhtBkaUPM7b9ejglSfR/bDdBWFbyeTU3SdbKiVJPHRPFvbNyJ8dI7hRxECplkJVScDw")
	f.Add("k:AAAA")
	f.Add("nocolon")
	f.Fuzz(func(t *testing.T, s string) {
		sig, err := ParseSignature(s)
		if err != nil {
			if !sig.IsZero() {
				t.Fatalf("failed parse returned %v", sig)
			}
			return
		}
		sig2, err := ParseSignature(sig.String())
		if err != nil || sig2 != sig {
			t.Fatalf("%q -> %q -> %v, %v", s, sig, sig2, err)
		}
		// VerifyString reads the same bytes as ParseSignature.
		keys := NewNixKeySet(PublicKey{Name: sig.KeyName})
		if _, err := keys.VerifyString("", s); err != nil {
			t.Fatalf("ParseSignature(%q) succeeded, VerifyString: %v", s, err)
		}
	})
}
