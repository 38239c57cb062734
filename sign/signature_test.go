package sign

import (
	"bufio"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/hex"
	"os"
	"strings"
	"testing"
)

// TestSignatureVectors checks every signature real Nix made: it parses,
// prints back byte for byte, and verifies under its key.
func TestSignatureVectors(t *testing.T) {
	pk := testKey(t)
	for _, v := range checkOutput(t) {
		sig, err := ParseSignature(v.sig)
		if err != nil {
			t.Fatal(err)
		}
		if sig.String() != v.sig {
			t.Errorf("String() = %q, want %q", sig, v.sig)
		}
		if !pk.Verify(v.fingerprint, sig) {
			t.Errorf("%s does not verify %q", v.sig, v.fingerprint)
		}
		if pk.Verify(v.fingerprint+" ", sig) || pk.Verify(v.fingerprint[:len(v.fingerprint)-1], sig) {
			t.Errorf("%s verifies a changed fingerprint", v.sig)
		}
		// A signature is only checked against the key of its own name.
		other, _ := NewPublicKey("other", pk.Bytes())
		if other.Verify(v.fingerprint, sig) {
			t.Errorf("key named %q verified a signature by %q", other.Name, sig.KeyName)
		}
		if s2, err := NewSignature(sig.KeyName, sig.Bytes()); err != nil || s2 != sig {
			t.Errorf("NewSignature(KeyName, Bytes) = %v, %v", s2, err)
		}
	}
	// gbck-1's signatures, from built-path-info.json and two-sigs.narinfo.
	infos := allPathInfos(t)
	info := infos["/nix/store/qyg4k09x25qhai8v5zk0idkmv8mq4wwl-sigtest-a"]
	fp, err := info.Fingerprint("/nix/store")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(readVector(t, "two-sigs.narinfo"), "Sig: "+info.Sigs[0]+"\n") {
		t.Fatalf("two-sigs.narinfo lacks %s", info.Sigs[0])
	}
	sig, err := ParseSignature(info.Sigs[0])
	if err != nil || !testKey2(t).Verify(fp, sig) || testKey(t).Verify(fp, sig) {
		t.Errorf("gbck-1 signature %s: %v", info.Sigs[0], err)
	}
}

func TestParseSignature(t *testing.T) {
	const good = "test-key-1:5F1x2UaCBnCAgLVnC0lWhtBkaUPM7b9ejglSfR/bDdBWFbyeTU3SdbKiVJPHRPFvbNyJ8dI7hRxECplkJVScDw=="
	for _, tt := range []struct {
		in      string
		errWant string
	}{
		{in: good},
		{in: good + "\n"},
		{in: good + "junk"},
		{in: strings.TrimSuffix(good, "==")},
		{in: "", errWant: "signature is corrupt: no ':'"},
		{in: good[11:], errWant: "signature is corrupt: no ':'"},
		{in: good[10:], errWant: "signature is corrupt: empty name"},
		{in: "test-key-1:", errWant: "nothing after ':'"},
		{in: "test-key-1:AAAA", errWant: `signature by "test-key-1" is not valid: it decodes to 3 bytes, want 64`},
		{in: good[:len(good)-4], errWant: "decodes to 63 bytes, want 64"},
		{in: "test-key-1:5F1x_", errWant: "invalid base64 character '_' at offset 15"},
	} {
		sig, err := ParseSignature(tt.in)
		if tt.errWant != "" {
			if err == nil || !strings.Contains(err.Error(), tt.errWant) || !sig.IsZero() {
				t.Errorf("ParseSignature(%q) = %v, %v; want error containing %q", tt.in, sig, err, tt.errWant)
			}
			continue
		}
		if err != nil || sig.String() != good {
			t.Errorf("ParseSignature(%q) = %v, %v; want %s", tt.in, sig, err, good)
		}
	}
}

// TestVerifyString follows Nix's verifyDetached (src/libstore/crypto.cc). Each
// case was also observed with `nix store verify -n 1` on a file:// cache
// whose narinfo held the signature: false is exit code 2 (untrusted), an
// error is exit code 4 with the message shown.
func TestVerifyString(t *testing.T) {
	const fp = "1;/nix/store/xfmdfkjxhxz3kgwsyvfnhv8kpkx5dzsx-nixsign-signexp-1;sha256:1xi7gsmywykcbsv7zpifbd3q7s3dxlgdfvlbcdh3xn9nk2ynlzbf;120;"
	const sig = "test-key-1:CK7SOhLGYFaTBeWhwc9x71oil/OrbYRXpwGzjnyMxpPt1wAjTQF5ikPc43+wAIcHzVH5lHI2equQESwqtOtzCQ=="
	ks, err := NewKeySet(testKey(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		sig     string
		ok      bool
		errWant string
	}{
		{sig: sig, ok: true},
		{sig: sig + "junk", ok: true},
		{sig: strings.TrimSuffix(sig, "=="), ok: true},
		{sig: "nocolonatall"},
		{sig: ":" + strings.TrimPrefix(sig, "test-key-1:")},
		{sig: "other:!!!"},
		{sig: "Test-key-1" + strings.TrimPrefix(sig, "test-key-1")},
		{sig: strings.Replace(sig, "CK7", "CK8", 1)},
		{sig: "test-key-1:AAAA", errWant: "signature \"test-key-1:AAAA\" is not valid: it decodes to 3 bytes, want 64"},
		{sig: "test-key-1:", errWant: "is not valid: it decodes to 0 bytes"},
		{sig: "test-key-1:AA-A", errWant: "is not valid: invalid base64 character at offset 2"},
	} {
		ok, err := ks.VerifyString(fp, tt.sig)
		if tt.errWant != "" {
			if err == nil || !strings.Contains(err.Error(), tt.errWant) {
				t.Errorf("VerifyString(%q) = %v, %v; want error containing %q", tt.sig, ok, err, tt.errWant)
			}
			continue
		}
		if err != nil || ok != tt.ok {
			t.Errorf("VerifyString(%q) = %v, %v; want %v", tt.sig, ok, err, tt.ok)
		}
	}
	var nilSet *KeySet
	if ok, err := nilSet.VerifyString(fp, sig); ok || err != nil {
		t.Errorf("nil KeySet: %v, %v", ok, err)
	}
}

// TestSmallOrderForgeries: crypto/ed25519 accepts a signature forged for a
// public key of small order; libsodium, and so Nix, rejects it (observed,
// see testdata/small-order-forgeries.txt). So must Verify.
func TestSmallOrderForgeries(t *testing.T) {
	f, err := os.Open("testdata/small-order-forgeries.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var fp string
	n := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		switch {
		case len(fields) == 0 || strings.HasPrefix(fields[0], "#"):
			continue
		case fields[0] == "fingerprint":
			fp = fields[1]
			continue
		}
		keyBytes, _ := hex.DecodeString(fields[0])
		sigBytes, _ := base64.StdEncoding.DecodeString(fields[2])
		if !ed25519.Verify(keyBytes, []byte(fp), sigBytes) {
			t.Errorf("%s: crypto/ed25519 rejects the forgery, so the vector proves nothing", fields[0])
		}
		pk, err := ParsePublicKey("weak:" + fields[1])
		if err != nil {
			t.Fatal(err)
		}
		sig, err := ParseSignature("weak:" + fields[2])
		if err != nil {
			t.Fatal(err)
		}
		if pk.Verify(fp, sig) {
			t.Errorf("Verify accepts a forgery for the small-order key %s", fields[0])
		}
		n++
	}
	if n != 14 {
		t.Errorf("%d forgeries, want 14", n)
	}
}

// TestNonCanonicalKeys: libsodium rejects a public key whose y is not
// reduced (y >= p), whatever the signature.
func TestNonCanonicalKeys(t *testing.T) {
	for d := 18; d >= 0; d-- {
		k := pMinus(-d) // p + d, up to 2^255-1
		canonical := isCanonicalPoint(&k)
		if canonical {
			t.Errorf("p+%d counted canonical", d)
		}
		k[31] |= 0x80
		if isCanonicalPoint(&k) != canonical {
			t.Errorf("p+%d with sign bit differs", d)
		}
	}
	for _, k := range [][32]byte{pMinus(1), pMinus(20), {0xff}} {
		if !isCanonicalPoint(&k) {
			t.Errorf("%x counted non-canonical", k)
		}
	}
}

func BenchmarkVerify(b *testing.B) {
	pk := testKey(b)
	v := checkOutput(b)[3]
	sig, _ := ParseSignature(v.sig)
	for b.Loop() {
		if !pk.Verify(v.fingerprint, sig) {
			b.Fatal("verify failed")
		}
	}
}
