package secretkey

import (
	"bufio"
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/nixsign/nixsign/nix/hash"
	"github.com/nixsign/nixsign/nix/storepath"
	"github.com/nixsign/nixsign/sign"
)

// The test vectors from real Nix 2.8.0 (see testdata/vectors/README.txt).
const vectors = "../../testdata/vectors/"

func readVector(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(vectors + name)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func mustParse(t testing.TB, data []byte) *Key {
	t.Helper()
	k, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// assertNoSecret fails if text contains the base64 of any key in secrets,
// or any 8-byte substring of it, or any 8 raw bytes of it.
func assertNoSecret(t testing.TB, what, text string, secrets ...[]byte) {
	t.Helper()
	for _, s := range secrets {
		_, b64, ok := bytes.Cut(s, []byte(":"))
		if !ok {
			b64 = s
		}
		raw, _ := base64.StdEncoding.DecodeString(string(bytes.TrimSpace(b64)))
		for _, secret := range [][]byte{b64, raw} {
			for i := 0; i+8 <= len(secret); i++ {
				if strings.Contains(text, string(secret[i:i+8])) {
					t.Fatalf("%s leaks secret key material: %q", what, text)
				}
			}
		}
	}
}

func TestParseVectors(t *testing.T) {
	for _, tt := range []struct{ secret, public, name string }{
		{"secret.key", "public.key", "test-key-1"},
		{"secret2.key", "public2.key", "gbck-1"},
	} {
		data := readVector(t, tt.secret)
		k := mustParse(t, data)
		if k.Name() != tt.name {
			t.Errorf("%s: Name = %q", tt.secret, k.Name())
		}
		if got, want := k.Public().String(), string(readVector(t, tt.public)); got != want {
			t.Errorf("%s: Public = %s, want %s", tt.secret, got, want)
		}
		if !bytes.Equal(k.Encode(), data) {
			t.Errorf("%s: Encode differs from the file", tt.secret)
		}
	}
}

// TestSignVectors: signing each fingerprint gives Nix's signature byte for
// byte, and it verifies.
func TestSignVectors(t *testing.T) {
	k := mustParse(t, readVector(t, "secret.key"))
	pk := k.Public()
	n := 0
	sc := bufio.NewScanner(bytes.NewReader(readVector(t, "check-output.txt")))
	var fp string
	for sc.Scan() {
		line := sc.Text()
		if f, ok := strings.CutPrefix(line, "OK  "); ok {
			fp = f
			continue
		}
		want := strings.TrimSpace(line)
		sig := k.Sign(fp)
		if sig.String() != want {
			t.Errorf("Sign(%q) = %s\nwant %s", fp, sig, want)
		}
		if !pk.Verify(fp, sig) {
			t.Errorf("Verify(%q) failed", fp)
		}
		n++
	}
	if n != 5 {
		t.Fatalf("%d signatures in check-output.txt", n)
	}

	// fingerprints.txt, and both keys' signatures in built-path-info.json.
	fps := strings.Fields(string(readVector(t, "fingerprints.txt")))
	keys := []*Key{k, mustParse(t, readVector(t, "secret2.key"))}
	var infos []struct {
		Path, NarHash string
		NarSize       uint64
		References    []string
		Signatures    []string
	}
	if err := json.Unmarshal(readVector(t, "built-path-info.json"), &infos); err != nil {
		t.Fatal(err)
	}
	for _, info := range infos {
		p, _ := storepath.Parse(storepath.DefaultDir, info.Path)
		h, _ := hash.Parse(info.NarHash)
		fp, err := sign.Fingerprint(storepath.DefaultDir, p, h, info.NarSize, info.References)
		if err != nil || !strings.Contains(strings.Join(fps, "\n"), fp) {
			t.Fatalf("fingerprint %q (%v) not in fingerprints.txt", fp, err)
		}
		for _, want := range info.Signatures {
			name, _, _ := strings.Cut(want, ":")
			for _, k := range keys {
				if k.Name() == name {
					if got := k.Sign(fp).String(); got != want {
						t.Errorf("%s: Sign = %s, want %s", name, got, want)
					}
					n++
				}
			}
		}
	}
	if n != 5+3 {
		t.Errorf("%d signatures checked", n)
	}
}

// TestParseNixRules follows Nix's Key::Key (src/libstore/crypto.cc), observed with `nix key
// convert-secret-to-public`.
func TestParseNixRules(t *testing.T) {
	good := readVector(t, "secret.key")
	b64 := bytes.TrimSuffix(good[len("test-key-1:"):], []byte("=="))
	pub := string(readVector(t, "public.key"))
	cat := func(parts ...string) []byte { return []byte(strings.Join(parts, "")) }
	for _, tt := range []struct {
		in      []byte
		name    string
		errWant string
	}{
		{in: good, name: "test-key-1"},
		{in: cat(string(good), "\n"), name: "test-key-1"},
		{in: cat(string(good), "\n\n"), name: "test-key-1"},
		{in: cat(string(good), "\r\n"), name: "test-key-1"},
		{in: cat(string(good), " "), name: "test-key-1"},
		{in: cat("test-key-1:", string(b64), "\n"), name: "test-key-1"},
		{in: cat("test-key-1:", string(b64[:40]), "\n", string(b64[40:])), name: "test-key-1"},
		{in: cat(" ", string(good)), name: " test-key-1"},
		{in: cat("my key:", string(good[11:])), name: "my key"},
		{in: cat("test-key-1:", string(b64), " "), errWant: "invalid base64 character at offset 97"},
		{in: cat("test-key-1:", string(b64), "\r"), errWant: "invalid base64 character at offset 97"},
		{in: cat("a:b:", string(good[11:])), errWant: "invalid base64 character at offset 3"},
		{in: []byte(pub), errWant: "this looks like a public key (32 bytes), and a secret key decodes to 64 bytes"},
		{in: cat(string(good[:len(good)-4]), "=="), errWant: "it decodes to 63 bytes, want 64"},
		{in: cat(string(good[:len(good)-2]), "AAAA"), errWant: "it decodes to 67 bytes, want 64"},
		{in: good[11:], errWant: "secret key is corrupt: no ':'"},
		{in: good[10:], errWant: "secret key is corrupt: empty name"},
		{in: []byte("test-key-1:"), errWant: "secret key is corrupt: nothing after ':'"},
		{in: nil, errWant: "secret key is corrupt: no ':'"},
	} {
		k, err := Parse(tt.in)
		if tt.errWant != "" {
			if err == nil || !strings.Contains(err.Error(), tt.errWant) || k != nil {
				t.Errorf("Parse(%q) = %v, %v; want error containing %q", tt.in, k, err, tt.errWant)
			}
			if err != nil {
				assertNoSecret(t, "error", err.Error(), good)
			}
			continue
		}
		if err != nil || k.Name() != tt.name || k.Public().String() != tt.name+pub[len("test-key-1"):] {
			t.Errorf("Parse(%q) = %v, %v", tt.in, k, err)
		}
	}
}

// TestParseMismatch: a key whose second half is not the public key of its
// seed. Nix accepts it (see TestInteropMismatch) and signs with it;
// nothing verifies those signatures.
func TestParseMismatch(t *testing.T) {
	k1 := mustParse(t, readVector(t, "secret.key"))
	k2 := mustParse(t, readVector(t, "secret2.key"))
	raw := append(append([]byte{}, k1.sk[:32]...), k2.sk[32:]...)
	bad := []byte("test-key-1:" + base64.StdEncoding.EncodeToString(raw))
	k, err := Parse(bad)
	if err == nil || k != nil {
		t.Fatalf("Parse accepted a mismatched key: %v", k)
	}
	if want := "its public half is not the public key of its seed"; !strings.Contains(err.Error(), want) {
		t.Errorf("error %q does not say %q", err, want)
	}
	assertNoSecret(t, "error", err.Error(), bad)
	// What Nix would do with it: sign under k1's seed but k2's public key.
	sig := ed25519.Sign(raw, []byte("x"))
	if ed25519.Verify(k1.sk[32:], []byte("x"), sig) || ed25519.Verify(k2.sk[32:], []byte("x"), sig) {
		t.Error("a mismatched key's signature verifies")
	}
}

func TestGenerate(t *testing.T) {
	seed := bytes.Repeat([]byte{7}, 32)
	k, err := Generate(bytes.NewReader(seed), "host-1")
	if err != nil {
		t.Fatal(err)
	}
	want := ed25519.NewKeyFromSeed(seed)
	if !bytes.Equal(k.sk[:], want) || k.Name() != "host-1" {
		t.Errorf("Generate from a fixed seed = %x", k.sk[:])
	}
	k2, err := Parse(k.Encode())
	if err != nil || *k2.sk != *k.sk || k2.Name() != k.Name() {
		t.Errorf("Parse(Encode()) = %v, %v", k2, err)
	}
	if bytes.HasSuffix(k.Encode(), []byte("\n")) {
		t.Error("Encode ends in a newline")
	}
	if !k.Public().Verify("fp", k.Sign("fp")) {
		t.Error("generated key does not verify its signature")
	}
	for _, name := range []string{"", "a:b", "my key", "k\n", "k#1", " k"} {
		if k, err := Generate(bytes.NewReader(seed), name); err == nil {
			t.Errorf("Generate(%q) = %v", name, k)
		}
	}
	if _, err := Generate(iotest.ErrReader(errors.New("no entropy")), "k"); err == nil || !strings.Contains(err.Error(), "no entropy") {
		t.Errorf("Generate with a failing reader: %v", err)
	}
	if _, err := Generate(bytes.NewReader(seed[:31]), "k"); err == nil {
		t.Error("Generate with a short reader succeeded")
	}
	a, _ := Generate(nil, "k")
	b, _ := Generate(nil, "k")
	if *a.sk == *b.sk {
		t.Error("Generate(nil) twice gave the same key")
	}
}

func TestZeroKeyPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("Sign on the zero Key did not panic")
		}
	}()
	var k Key
	k.Sign("x")
}

func BenchmarkSign(b *testing.B) {
	k := mustParse(b, readVector(b, "secret.key"))
	fp := strings.Fields(string(readVector(b, "fingerprints.txt")))[3]
	for b.Loop() {
		k.Sign(fp)
	}
}

func BenchmarkParse(b *testing.B) {
	data := readVector(b, "secret.key")
	for b.Loop() {
		if _, err := Parse(data); err != nil {
			b.Fatal(err)
		}
	}
}
