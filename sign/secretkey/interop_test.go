package secretkey

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// nix runs real Nix with stdin, or skips the test when Nix is not installed.
func nix(t *testing.T, stdin []byte, args ...string) (stdout string, err error) {
	t.Helper()
	path, lookErr := exec.LookPath(args[0])
	if lookErr != nil {
		t.Skipf("%s not installed", args[0])
	}
	cmd := exec.Command(path, args[1:]...)
	cmd.Env = append(os.Environ(), "NIX_CONFIG=experimental-features = nix-command")
	cmd.Stdin = bytes.NewReader(stdin)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		return out.String(), fmt.Errorf("%s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(errOut.String()))
	}
	return out.String(), nil
}

// TestInteropGenerate: Nix reads a key from Generate and WriteFile, and
// derives the same public key.
func TestInteropGenerate(t *testing.T) {
	k, err := Generate(nil, "nixsign-interop-1")
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "secret.key")
	if err := WriteFile(p, k.Encode(), false); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(p)
	pub, err := nix(t, data, "nix", "key", "convert-secret-to-public")
	if err != nil {
		t.Fatal(err)
	}
	if pub != k.Public().String() {
		t.Errorf("nix key convert-secret-to-public = %q, want %q", pub, k.Public())
	}
}

// TestInteropNixGenerate: keys made by Nix parse, with the public key Nix
// derives, and encode back byte for byte.
func TestInteropNixGenerate(t *testing.T) {
	sk, err := nix(t, nil, "nix", "key", "generate-secret", "--key-name", "x")
	if err != nil {
		t.Fatal(err)
	}
	k, err := Parse([]byte(sk))
	if err != nil {
		t.Fatalf("Parse(nix key generate-secret): %v", err)
	}
	pub, err := nix(t, []byte(sk), "nix", "key", "convert-secret-to-public")
	if err != nil {
		t.Fatal(err)
	}
	if k.Public().String() != pub || string(k.Encode()) != sk {
		t.Errorf("Public = %s, Nix says %s; Encode equal: %v", k.Public(), pub, string(k.Encode()) == sk)
	}

	// nix-store --generate-binary-cache-key writes the secret key 0600, so
	// Load takes it as it is.
	dir := t.TempDir()
	skFile, pkFile := filepath.Join(dir, "sk"), filepath.Join(dir, "pk")
	if _, err := nix(t, nil, "nix-store", "--generate-binary-cache-key", "gbck-2", skFile, pkFile); err != nil {
		t.Fatal(err)
	}
	k, err = Load(skFile)
	if err != nil {
		t.Fatal(err)
	}
	if want, _ := os.ReadFile(pkFile); k.Public().String() != string(want) {
		t.Errorf("Public = %s, nix-store wrote %s", k.Public(), want)
	}
}

// TestInteropParseRules: for each variant of a key file, Parse accepts it
// exactly when `nix key convert-secret-to-public` does, and then gives the
// same public key (Key::Key in src/libstore/crypto.cc).
func TestInteropParseRules(t *testing.T) {
	good := string(readVector(t, "secret.key"))
	b64 := strings.TrimSuffix(good[len("test-key-1:"):], "==")
	for _, in := range []string{
		good, good + "\n", good + "\n\n", good + "\r\n", good + " ", good + "==junk",
		"test-key-1:" + b64 + "\n", "test-key-1:" + b64, "test-key-1:" + b64 + " ", "test-key-1:" + b64 + "\r",
		"test-key-1:" + b64[:40] + "\n" + b64[40:], " " + good, "my key:" + good[11:], "a:b:" + good[11:],
		string(readVector(t, "public.key")), good[:len(good)-6] + "==", good[11:], good[10:], "test-key-1:", "",
	} {
		k, err := Parse([]byte(in))
		pub, nixErr := nix(t, []byte(in), "nix", "key", "convert-secret-to-public")
		switch {
		case (err == nil) != (nixErr == nil):
			t.Errorf("%q: Parse error %v, Nix error %v", in, err, nixErr)
		case err == nil && k.Public().String() != pub:
			t.Errorf("%q: Public = %s, Nix says %s", in, k.Public(), pub)
		}
	}
}

// TestInteropMismatch: Nix accepts a secret key whose public half is not
// its seed's, and takes the public key from that half without a check.
// Parse refuses it.
func TestInteropMismatch(t *testing.T) {
	k1 := mustParse(t, readVector(t, "secret.key"))
	k2 := mustParse(t, readVector(t, "secret2.key"))
	raw := append(append([]byte{}, k1.sk[:ed25519.SeedSize]...), k2.sk[ed25519.SeedSize:]...)
	bad := "test-key-1:" + base64.StdEncoding.EncodeToString(raw)
	pub, err := nix(t, []byte(bad), "nix", "key", "convert-secret-to-public")
	if err != nil {
		t.Fatalf("Nix refused the mismatched key: %v", err)
	}
	if want := "test-key-1:" + base64.StdEncoding.EncodeToString(k2.sk[ed25519.SeedSize:]); pub != want {
		t.Errorf("Nix says %s, want the embedded half %s", pub, want)
	}
	if _, err := Parse([]byte(bad)); err == nil {
		t.Error("Parse accepted the mismatched key")
	}
}
