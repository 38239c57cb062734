package floxconf

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nixsign/nixsign/sign"
)

// testSecret is testdata/vectors/secret.key, a public test key.
const testSecret = "test-key-1:UxMD/rhsYNRs3dG+yYmF+gmf48NkbzFMRdPvNwoe3KwTYLCPPNzmzKGVWwVnYha9s/6213PzJD554OPnQwQ4mw=="

// noSecret fails when s holds any 8-byte piece of the secret's base64.
func noSecret(t *testing.T, what, s string) {
	t.Helper()
	b64 := strings.TrimRight(testSecret[strings.IndexByte(testSecret, ':')+1:], "=")
	for i := 0; i+8 <= len(b64); i++ {
		if strings.Contains(s, b64[i:i+8]) {
			t.Fatalf("%s: %q shows a piece of the secret key", what, s)
		}
	}
}

// TestValidateSecretKey: a secret key given instead of the path of its
// file is refused without being echoed, and the advice is to rotate it.
func TestValidateSecretKey(t *testing.T) {
	b64 := testSecret[strings.IndexByte(testSecret, ':')+1:]
	for _, value := range []string{testSecret, testSecret + "\n", b64, "name with space:" + b64} {
		for _, src := range []Source{{}, {File: "/h/flox.toml", Line: 2}, {Var: "FLOX_PUBLISH.SIGNING_PRIVATE_KEY"}} {
			warnings, err := Validate(value, src)
			if err == nil {
				t.Fatalf("Validate(secret, %v) accepted it", src)
			}
			noSecret(t, "Validate", err.Error()+strings.Join(warnings, "\n"))
			for _, want := range []string{sign.NotAPath, "mode 0600", "absolute path", "rotate"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("Validate(secret, %v) = %q, want it to say %q", src, err, want)
				}
			}
		}
	}
	want := "/h/flox.toml:2: publish.signing_private_key: <a secret key, not a file path>: put the key in a file with mode 0600 and give that file's absolute path; treat this key as exposed and rotate it"
	if _, err := Validate(testSecret, Source{File: "/h/flox.toml", Line: 2}); err.Error() != want {
		t.Errorf("got  %q\nwant %q", err, want)
	}
	// A public key is not a path either, but it is no secret: say so as for
	// any relative path.
	if _, err := Validate("test-key-1:E2Cwjzzc5syhlVsFZ2IWvbP+ttdz8yQ+eeDj50MEOJs=", Source{}); err == nil || !strings.Contains(err.Error(), "relative path") {
		t.Errorf("public key: %v", err)
	}
}

// TestSetFileSecretKey: SetFile refuses a secret key and writes nothing.
func TestSetFileSecretKey(t *testing.T) {
	file := filepath.Join(t.TempDir(), "flox.toml")
	_, err := SetFile(file, testSecret)
	if err == nil {
		t.Fatal("SetFile accepted a secret key")
	}
	noSecret(t, "SetFile", err.Error())
	if _, err := os.Stat(file); !os.IsNotExist(err) {
		t.Errorf("SetFile wrote %s: %v", file, err)
	}
	if _, err := Set(nil, testSecret); err == nil {
		t.Error("Set accepted a secret key")
	} else {
		noSecret(t, "Set", err.Error())
	}
}
