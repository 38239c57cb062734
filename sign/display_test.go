package sign

import (
	"strings"
	"testing"
)

// The test-key-1 pair of testdata/vectors (public test keys).
const (
	testSecret = "test-key-1:UxMD/rhsYNRs3dG+yYmF+gmf48NkbzFMRdPvNwoe3KwTYLCPPNzmzKGVWwVnYha9s/6213PzJD554OPnQwQ4mw=="
	testPublic = "test-key-1:E2Cwjzzc5syhlVsFZ2IWvbP+ttdz8yQ+eeDj50MEOJs="
	testSig    = "test-key-1:5F1x2UaCBnCAgLVnC0lWhtBkaUPM7b9ejglSfR/bDdBWFbyeTU3SdbKiVJPHRPFvbNyJ8dI7hRxECplkJVScDw=="
)

// noSecret fails when out holds any 8-byte piece of the secret's base64.
func noSecret(t *testing.T, what, out, secret string) {
	t.Helper()
	_, b64, _ := strings.Cut(secret, ":")
	b64 = strings.TrimRight(b64, "=\n")
	for i := 0; i+8 <= len(b64); i++ {
		if strings.Contains(out, b64[i:i+8]) {
			t.Fatalf("%s: %q shows %q, a piece of the secret key", what, out, b64[i:i+8])
		}
	}
}

func TestDisplayKeyText(t *testing.T) {
	b64 := testSecret[len("test-key-1:"):]
	for _, tc := range []struct{ in, want string }{
		{testSecret, "test-key-1:" + Redacted},
		{testSecret + "\n", "test-key-1:" + Redacted},
		{"  " + testSecret + "\r\n", "test-key-1:" + Redacted},
		{"other:" + b64, "other:" + Redacted},
		{"test-key-1:" + strings.TrimRight(b64, "="), "test-key-1:" + Redacted},    // no padding
		{"test-key-1:" + b64[:40] + "\n" + b64[40:], "test-key-1:" + Redacted},     // a newline inside
		{"test-key-1:" + b64 + "junk after the padding", "test-key-1:" + Redacted}, // Nix stops at '='
		{":" + b64, Redacted},
		{b64, Redacted},
		{testSig, "test-key-1:" + Redacted}, // 64 bytes too: hiding it is harmless
		{testPublic, testPublic},
		{"test-key-1:AAAA", "test-key-1:AAAA"},
		{"test-key-1:" + b64[:80], "test-key-1:" + b64[:80]}, // 60 bytes: not a key of any kind
		{"no colon", "no colon"},
		{"", ""},
		{"cache.nixos.org-1:6NCHdD59X431o0gWypbMrAURkbJ16ZPMQFGspcDShjY=", "cache.nixos.org-1:6NCHdD59X431o0gWypbMrAURkbJ16ZPMQFGspcDShjY="},
	} {
		if got := DisplayKeyText(tc.in); got != tc.want {
			t.Errorf("DisplayKeyText(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	noSecret(t, "DisplayKeyText", DisplayKeyText(testSecret), testSecret)
}

func TestDisplayPath(t *testing.T) {
	b64 := testSecret[len("test-key-1:"):]
	for _, tc := range []struct{ in, want string }{
		{testSecret, NotAPath},
		{testSecret + "\n", NotAPath},
		{b64, NotAPath},
		{"/etc/nix/key.sec", "/etc/nix/key.sec"},
		{"relative/key.sec", "relative/key.sec"},
		{"~/key.sec", "~/key.sec"},
		{"", ""},
		// 86 base64 characters starting with '/' are an absolute path.
		{"/" + strings.Repeat("a", 85), "/" + strings.Repeat("a", 85)},
		{testPublic, testPublic},
	} {
		if got := DisplayPath(tc.in); got != tc.want {
			t.Errorf("DisplayPath(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestLooksLikeSecretKeyAgreesWithNix: every text Nix's decoder turns into
// 64 bytes after a name looks like a secret key.
func TestLooksLikeSecretKeyAgreesWithNix(t *testing.T) {
	for _, s := range []string{testSecret, testSig, "k:" + strings.Repeat("A", 86), "k:" + strings.Repeat("A", 86) + "=garbage!"} {
		name, n, err := parse(s, "key", make([]byte, 64))
		if err != nil || n != 64 || name == "" {
			t.Fatalf("%q: Nix's rules give %d bytes, %v", s, n, err)
		}
		if !LooksLikeSecretKey(s) {
			t.Errorf("%q does not look like a secret key", s)
		}
	}
	for _, s := range []string{testPublic, "k:" + strings.Repeat("A", 85), "k:" + strings.Repeat("A", 88)} {
		if LooksLikeSecretKey(s) {
			t.Errorf("%q looks like a secret key", s)
		}
	}
}

func FuzzDisplayKeyText(f *testing.F) {
	for _, s := range []string{testSecret, testPublic, testSig, "", ":", "a:b", "/x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if r := RedactSecrets(s); RedactSecrets(r) != r {
			t.Fatalf("RedactSecrets(%q) = %q leaves a secret-length run", s, r)
		}
		got := DisplayKeyText(s)
		secret := LooksLikeSecretKey(s)
		if !secret && got != s {
			t.Fatalf("DisplayKeyText(%q) = %q, want it unchanged", s, got)
		}
		if secret {
			if !strings.HasSuffix(got, Redacted) {
				t.Fatalf("DisplayKeyText(%q) = %q, not redacted", s, got)
			}
			if _, rest, ok := strings.Cut(s, ":"); ok && len(rest) >= 8 && strings.Contains(got, rest) {
				t.Fatalf("DisplayKeyText(%q) = %q shows the key", s, got)
			}
			if DisplayPath(s) != NotAPath {
				t.Fatalf("DisplayPath(%q) = %q", s, DisplayPath(s))
			}
		}
	})
}

func TestRedactSecrets(t *testing.T) {
	b64 := testSecret[len("test-key-1:"):]
	for _, tc := range []struct{ in, want string }{
		{"illegal configuration line '" + testSecret + "'", "illegal configuration line 'test-key-1:" + Redacted + "'"},
		{b64 + " and " + b64, Redacted + " and " + Redacted},
		{"k:" + b64[:85] + "x", "k:" + Redacted}, // 86 characters
		{"k:" + b64[:84] + "x", "k:" + b64[:84] + "x"},
		{"k:" + b64[:80], "k:" + b64[:80]},
		{testPublic + " /nix/store/hgl6cwhlhzpznapan2nfnls2nyyv4lqb-run.sh", testPublic + " /nix/store/hgl6cwhlhzpznapan2nfnls2nyyv4lqb-run.sh"},
		{"", ""},
	} {
		if got := RedactSecrets(tc.in); got != tc.want {
			t.Errorf("RedactSecrets(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	noSecret(t, "RedactSecrets", RedactSecrets("x"+testSecret+"\n"+testSig), testSecret)
}
