package sign

import (
	"strings"
	"testing"
)

func TestParsePublicKeyVectors(t *testing.T) {
	for _, f := range []string{"public.key", "public2.key"} {
		s := readVector(t, f)
		k, err := ParsePublicKey(s)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if k.String() != s {
			t.Errorf("%s: String() = %q, want %q", f, k, s)
		}
		if k2, err := NewPublicKey(k.Name, k.Bytes()); err != nil || k2 != k {
			t.Errorf("%s: NewPublicKey(Name, Bytes) = %v, %v", f, k2, err)
		}
	}
	if k := testKey(t); k.Name != "test-key-1" {
		t.Errorf("name %q", k.Name)
	}
}

// TestParsePublicKeyNixRules follows Nix's Key::Key (src/libstore/crypto.cc, observed
// with real Nix 2.8.0): Nix's acceptance is ours, and String() is always
// the canonical form, so it differs from every input but good and " "+good.
func TestParsePublicKeyNixRules(t *testing.T) {
	const good = "test-key-1:E2Cwjzzc5syhlVsFZ2IWvbP+ttdz8yQ+eeDj50MEOJs="
	const b64 = "E2Cwjzzc5syhlVsFZ2IWvbP+ttdz8yQ+eeDj50MEOJs"
	secret := "test-key-1:UxMD/rhsYNRs3dG+yYmF+gmf48NkbzFMRdPvNwoe3KwTYLCPPNzmzKGVWwVnYha9s/6213PzJD554OPnQwQ4mw=="
	for _, tt := range []struct {
		in      string
		name    string // "" when the parse fails
		errWant string
	}{
		{in: good, name: "test-key-1"},
		{in: good + "\n", name: "test-key-1"},
		{in: good + "\n\n", name: "test-key-1"},
		{in: good + "\r\n", name: "test-key-1"},
		{in: good + " ", name: "test-key-1"},
		{in: good + "==junk", name: "test-key-1"},
		{in: "test-key-1:" + b64, name: "test-key-1"},        // no padding
		{in: "test-key-1:" + b64 + "\n", name: "test-key-1"}, // no padding, newline
		{in: "test-key-1:E2Cw\njzzc5syhlVsFZ2IWvbP+ttdz8yQ+eeDj50MEOJs=", name: "test-key-1"},
		{in: "test-key-1:" + b64[:42] + "t=", name: "test-key-1"}, // leftover bits differ ('s' vs 't')
		{in: " " + good, name: " test-key-1"},
		{in: "my key:" + b64, name: "my key"},
		{in: "test-key-1:" + b64 + " ", errWant: "invalid base64 character ' ' at offset 54"},
		{in: "test-key-1:" + b64 + "\r", errWant: "invalid base64 character '\\r'"},
		{in: "a:b:" + b64, errWant: "invalid base64 character ':' at offset 3"},
		{in: "test-key-1:E2Cw-zzc", errWant: "invalid base64 character '-'"},
		{in: "", errWant: "public key is corrupt: no ':'"},
		{in: b64, errWant: "public key is corrupt: no ':'"},
		{in: ":" + b64, errWant: "public key is corrupt: empty name"},
		{in: "test-key-1:", errWant: `public key "test-key-1" is corrupt: nothing after ':'`},
		{in: "test-key-1:=", errWant: "decodes to 0 bytes, want 32"},
		{in: "test-key-1:" + b64[:40], errWant: "decodes to 30 bytes, want 32"},
		{in: "test-key-1:" + b64 + "AAAA", errWant: "decodes to 35 bytes, want 32"},
		{in: secret, errWant: "decodes to 64 bytes, want 32 (this looks like a secret key: never share it)"},
	} {
		k, err := ParsePublicKey(tt.in)
		if tt.errWant != "" {
			if err == nil || !strings.Contains(err.Error(), tt.errWant) {
				t.Errorf("ParsePublicKey(%q) = %v, %v; want error containing %q", tt.in, k, err, tt.errWant)
			}
			if !k.IsZero() {
				t.Errorf("ParsePublicKey(%q): failed parse returned %v", tt.in, k)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParsePublicKey(%q): %v", tt.in, err)
			continue
		}
		if k.Name != tt.name {
			t.Errorf("ParsePublicKey(%q).Name = %q, want %q", tt.in, k.Name, tt.name)
		}
		if want := tt.name + ":" + b64 + "="; k.String() != want {
			t.Errorf("ParsePublicKey(%q).String() = %q, want %q", tt.in, k, want)
		}
	}
}

// TestParsePublicKeyNoEcho: a secret key given as a public key must not
// come back in the error, in whole or in part.
func TestParsePublicKeyNoEcho(t *testing.T) {
	secret := strings.TrimSpace(readVector(t, "secret.key"))
	b64 := secret[strings.IndexByte(secret, ':')+1:]
	for _, in := range []string{secret, b64, b64[:87] + "-=", "x" + secret[10:] + " "} {
		_, err := ParsePublicKey(in)
		if err == nil {
			t.Fatalf("ParsePublicKey(%q) succeeded", in)
		}
		for i := 0; i+8 <= len(b64); i++ {
			if strings.Contains(err.Error(), b64[i:i+8]) {
				t.Fatalf("error %q echoes the secret key", err)
			}
		}
	}
}

func TestNewPublicKey(t *testing.T) {
	for _, tt := range []struct {
		name string
		n    int
		ok   bool
	}{
		{"k", 32, true}, {"", 32, false}, {"a:b", 32, false}, {"k", 31, false}, {"k", 64, false},
	} {
		_, err := NewPublicKey(tt.name, make([]byte, tt.n))
		if (err == nil) != tt.ok {
			t.Errorf("NewPublicKey(%q, %d bytes) = %v, want ok=%v", tt.name, tt.n, err, tt.ok)
		}
	}
}

func TestValidateName(t *testing.T) {
	for _, tt := range []struct {
		name       string
		ok, okConf bool
	}{
		{"cache.nixos.org-1", true, true},
		{"test-key-1", true, true},
		{"é-1", true, true},
		{"", false, false},
		{"a:b", false, false},
		{"my key", true, false},
		{" test-key-1", true, false},
		{"k\t1", true, false},
		{"k\n", true, false},
		{"k\r", true, false},
		{"k#1", true, false},
		{"k\x00", true, false},
		{"k\x7f", true, false},
	} {
		if err := ValidateName(tt.name); (err == nil) != tt.ok {
			t.Errorf("ValidateName(%q) = %v, want ok=%v", tt.name, err, tt.ok)
		}
		if err := ValidateNameForConf(tt.name); (err == nil) != tt.okConf {
			t.Errorf("ValidateNameForConf(%q) = %v, want ok=%v", tt.name, err, tt.okConf)
		}
	}
}

func TestPublicKeyZero(t *testing.T) {
	var k PublicKey
	if !k.IsZero() || k.Verify("", Signature{}) {
		t.Error("zero key")
	}
	if testKey(t).Equal(testKey2(t)) || !testKey(t).Equal(testKey(t)) {
		t.Error("Equal")
	}
}

func BenchmarkParsePublicKey(b *testing.B) {
	s := readVector(b, "public.key")
	for b.Loop() {
		if _, err := ParsePublicKey(s); err != nil {
			b.Fatal(err)
		}
	}
}
