package sign

import (
	"bufio"
	"crypto/ed25519"
	"encoding/base64"
	"math/big"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
)

// sigString is the stored form of a signature by name.
func sigString(name string, sig []byte) string {
	return name + ":" + base64.StdEncoding.EncodeToString(sig)
}

// A KeySet, which checks each key once, gives the same answers as the
// package's verify, on valid signatures and on broken ones: bit flips,
// S + l, a small-order R, another message.
func TestKeySetMatchesVerify(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	seed := make([]byte, 32)
	for i := range seed {
		seed[i] = byte(r.Uint32())
	}
	priv := ed25519.NewKeyFromSeed(seed)
	pk, err := NewPublicKey("fast-1", priv.Public().(ed25519.PublicKey))
	if err != nil {
		t.Fatal(err)
	}
	ks := NewNixKeySet(pk)
	l, _ := new(big.Int).SetString("7237005577332262213973186563042994240857116359379907606001950938285454250989", 10)
	type tc struct {
		fp  string
		sig [SignatureSize]byte
	}
	var cases []tc
	for i := range 192 {
		fp := "1;/nix/store/" + strings.Repeat("a", 32) + "-p" + string(rune('a'+i%26)) + ";sha256:x;" + string(rune('0'+i%10)) + ";"
		sig := [SignatureSize]byte(ed25519.Sign(priv, []byte(fp)))
		switch i % 6 {
		case 1:
			sig[r.IntN(64)] ^= 1 << r.IntN(8)
		case 2: // S + l
			s := new(big.Int).SetBytes(reverse(sig[32:]))
			s.Add(s, l)
			var be [32]byte
			s.FillBytes(be[:])
			copy(sig[32:], reverse(be[:]))
		case 3: // R of small order
			copy(sig[:32], smallOrder[r.IntN(len(smallOrder))][:])
		case 4:
			fp += "x"
		}
		cases = append(cases, tc{fp, sig})
	}
	valid := 0
	for i, c := range cases {
		want := verify(&pk.key, c.fp, &c.sig)
		got, err := ks.VerifyString(c.fp, sigString("fast-1", c.sig[:]))
		if err != nil || got != want {
			t.Fatalf("case %d: VerifyString = %v, %v; want %v", i, got, err, want)
		}
		if want {
			valid++
		}
	}
	if valid < len(cases)/3 {
		t.Errorf("only %d valid signatures", valid)
	}
}

func reverse(b []byte) []byte {
	out := make([]byte, len(b))
	for i := range b {
		out[len(b)-1-i] = b[i]
	}
	return out
}

// A KeySet never verifies with a key of small order or a non-canonical
// one, however often it is asked.
func TestKeySetRejectsWeakKeys(t *testing.T) {
	f, err := os.Open("testdata/small-order-forgeries.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var fp string
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		switch {
		case len(fields) == 0 || strings.HasPrefix(fields[0], "#"):
			continue
		case fields[0] == "fingerprint":
			fp = fields[1]
			continue
		}
		pk, err := ParsePublicKey("weak:" + fields[1])
		if err != nil {
			t.Fatal(err)
		}
		ks := NewNixKeySet(pk)
		for range 3 {
			if ok, err := ks.VerifyString(fp, "weak:"+fields[2]); ok || err != nil {
				t.Fatalf("%s: VerifyString = %v, %v", fields[0], ok, err)
			}
		}
		n++
	}
	if n == 0 {
		t.Fatal("no forgeries read")
	}
	for _, enc := range []([32]byte){pMinus(-2), pMinus(-5)} { // y >= p
		pk := PublicKey{Name: "nc", key: enc}
		ks := NewNixKeySet(pk)
		var sig [SignatureSize]byte
		for range 3 {
			if ok, _ := ks.VerifyString("x", sigString("nc", sig[:])); ok {
				t.Fatalf("%x verifies", enc)
			}
		}
	}
}

func BenchmarkKeySetVerify(b *testing.B) {
	pk := testKey(b)
	v := checkOutput(b)[3]
	ks := NewNixKeySet(pk)
	for b.Loop() {
		if ok, err := ks.VerifyString(v.fingerprint, v.sig); !ok || err != nil {
			b.Fatal("verify failed")
		}
	}
}
