package secretkey

import (
	"bytes"
	"crypto/ed25519"
	"crypto/fips140"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
)

// The table-free path and crypto/ed25519 must agree byte for byte: each
// test here runs both explicitly, so none can pass by taking one path.

// rfc8032 are RFC 8032 §7.1 TEST 1, 2 and 3.
var rfc8032 = []struct{ seed, pub, msg, sig string }{
	{
		"9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
		"d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
		"",
		"e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
	},
	{
		"4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
		"3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
		"72",
		"92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00",
	},
	{
		"c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
		"fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025",
		"af82",
		"6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a",
	},
}

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// checkBothPaths fails unless the table-free public key of sk's seed and
// signature of msg with sk equal crypto/ed25519's.
func checkBothPaths(t testing.TB, sk *[Size]byte, msg []byte) {
	t.Helper()
	std := ed25519.NewKeyFromSeed(sk[:32])
	if pub := tableFreePublicKey((*[32]byte)(sk[:32])); !bytes.Equal(pub[:], std[32:]) {
		t.Fatalf("seed %x: table-free public key %x, crypto/ed25519 %x", sk[:32], pub, std[32:])
	}
	if got, want := tableFreeSign(sk, msg), ed25519.Sign(sk[:], msg); !bytes.Equal(got, want) {
		t.Fatalf("key %x, message %q: table-free signature %x, crypto/ed25519 %x", sk[:], msg, got, want)
	}
}

func TestTableFreeRFC8032(t *testing.T) {
	for i, v := range rfc8032 {
		var sk [Size]byte
		copy(sk[:], unhex(t, v.seed))
		copy(sk[32:], unhex(t, v.pub))
		msg := unhex(t, v.msg)
		if pub := tableFreePublicKey((*[32]byte)(sk[:32])); hex.EncodeToString(pub[:]) != v.pub {
			t.Errorf("TEST %d: public key %x", i+1, pub)
		}
		if sig := tableFreeSign(&sk, msg); hex.EncodeToString(sig) != v.sig {
			t.Errorf("TEST %d: signature %x", i+1, sig)
		}
		checkBothPaths(t, &sk, msg)
	}
}

// TestTableFreeVectors: Nix's keys and every fingerprint in the vectors.
func TestTableFreeVectors(t *testing.T) {
	msgs := strings.Fields(string(readVector(t, "fingerprints.txt")))
	msgs = append(msgs, "", "x", strings.Repeat("y", 1000))
	for _, name := range []string{"secret.key", "secret2.key"} {
		k := mustParse(t, readVector(t, name))
		for _, m := range msgs {
			checkBothPaths(t, k.sk, []byte(m))
		}
	}
}

// TestTableFreeRandom: random seeds and messages of every length around
// SHA-512's 128-byte blocks, and public halves that do not match the seed
// (crypto/ed25519 signs with whatever public half it is given).
func TestTableFreeRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	n := 300
	if testing.Short() || raceEnabled {
		n = 40
	}
	for i := range n {
		var sk [Size]byte
		for j := range sk {
			sk[j] = byte(rng.Uint32())
		}
		if i%4 != 0 {
			copy(sk[32:], ed25519.NewKeyFromSeed(sk[:32])[32:])
		}
		msg := make([]byte, i%300)
		for j := range msg {
			msg[j] = byte(rng.Uint32())
		}
		checkBothPaths(t, &sk, msg)
	}
	// Edge seeds.
	for _, b := range []byte{0, 1, 0x7f, 0x80, 0xff} {
		var sk [Size]byte
		copy(sk[:], bytes.Repeat([]byte{b}, 32))
		copy(sk[32:], ed25519.NewKeyFromSeed(sk[:32])[32:])
		checkBothPaths(t, &sk, []byte{b})
	}
}

// FuzzTableFree compares both paths on a fuzzer-chosen key and message.
// The key is a seed (hashed to 32 bytes unless it has 32) or, with 64 bytes
// or more, a seed and a public half that may not match it.
func FuzzTableFree(f *testing.F) {
	f.Add([]byte{}, []byte{})
	f.Add(bytes.Repeat([]byte{0xff}, 32), []byte("x"))
	f.Add(bytes.Repeat([]byte{1}, 64), []byte(strings.Repeat("z", 200)))
	for _, v := range rfc8032 {
		f.Add(unhex(f, v.seed+v.pub), unhex(f, v.msg))
	}
	f.Fuzz(func(t *testing.T, key, msg []byte) {
		var sk [Size]byte
		switch {
		case len(key) >= Size:
			copy(sk[:], key)
		case len(key) == 32:
			copy(sk[:], key)
			copy(sk[32:], ed25519.NewKeyFromSeed(key)[32:])
		default:
			seed := sha256.Sum256(key)
			copy(sk[:], seed[:])
			copy(sk[32:], ed25519.NewKeyFromSeed(seed[:])[32:])
		}
		checkBothPaths(t, &sk, msg)
	})
}

// withOps runs f with the operation counter set to n, then restores it.
// The tests of this package do not run in parallel, so nothing else moves
// the counter meanwhile.
func withOps(n uint32, f func()) {
	old := ed25519Ops.Load()
	defer ed25519Ops.Store(old)
	ed25519Ops.Store(n)
	f()
}

// TestDispatch: the first tableFreeOps operations go table-free, later
// ones to crypto/ed25519, and Parse, Generate and Sign each take one.
func TestDispatch(t *testing.T) {
	if fips140.Enabled() {
		withOps(0, func() {
			if takeTableFree() {
				t.Error("table-free in FIPS 140-3 mode")
			}
		})
		t.Skip("FIPS 140-3 mode: always crypto/ed25519")
	}
	withOps(0, func() {
		for i := range tableFreeOps + 3 {
			if got, want := takeTableFree(), i < tableFreeOps; got != want {
				t.Fatalf("operation %d: takeTableFree = %v", i, got)
			}
		}
	})
	data := readVector(t, "secret.key")
	// The first fingerprint of check-output.txt and Nix's signature of it.
	lines := strings.SplitN(string(readVector(t, "check-output.txt")), "\n", 3)
	fp, want := strings.TrimPrefix(lines[0], "OK  "), strings.TrimSpace(lines[1])
	k0 := mustParse(t, data)
	for _, tt := range []struct {
		name      string
		start     uint32
		tableFree bool
	}{
		{"table-free", 0, true},
		{"crypto/ed25519", tableFreeOps, false},
	} {
		withOps(tt.start, func() {
			k := mustParse(t, data)
			g, err := Generate(bytes.NewReader(k.sk[:32]), "test-key-1")
			if err != nil || *g.sk != *k.sk {
				t.Errorf("%s: Generate = %v, %v", tt.name, g, err)
			}
			if got := k.Sign(fp).String(); got != want {
				t.Errorf("%s: Sign = %s, want %s", tt.name, got, want)
			}
			wantOps := tt.start
			if tt.tableFree {
				wantOps += 3
			}
			if n := ed25519Ops.Load(); n != wantOps {
				t.Errorf("%s: %d operations counted, want %d", tt.name, n, wantOps)
			}
		})
		// A key whose public half is not its seed's is refused either way.
		withOps(tt.start, func() {
			bad := bytes.Clone(k0.sk[:])
			bad[Size-1] ^= 1
			if _, err := Parse([]byte("test-key-1:" + base64.StdEncoding.EncodeToString(bad))); err == nil {
				t.Errorf("%s: Parse accepted a mismatched public half", tt.name)
			}
			if tt.tableFree && ed25519Ops.Load() != tt.start+1 {
				t.Errorf("%s: the check did not go table-free", tt.name)
			}
		})
	}
}

// TestDispatchConcurrent signs from many goroutines across the switch from
// one path to the other (run it with -race).
func TestDispatchConcurrent(t *testing.T) {
	k := mustParse(t, readVector(t, "secret.key"))
	msgs := strings.Fields(string(readVector(t, "fingerprints.txt")))
	want := make([]string, len(msgs))
	for i, m := range msgs {
		want[i] = hex.EncodeToString(ed25519.Sign(k.sk[:], []byte(m)))
	}
	withOps(0, func() {
		var wg sync.WaitGroup
		for g := range 8 {
			wg.Go(func() {
				for j := range 4 {
					i := (g + j) % len(msgs)
					if got := hex.EncodeToString(k.Sign(msgs[i]).Bytes()); got != want[i] {
						t.Errorf("Sign(%q) = %s, want %s", msgs[i], got, want[i])
					}
				}
			})
		}
		wg.Wait()
		if n := ed25519Ops.Load(); !fips140.Enabled() && (n < tableFreeOps || n > tableFreeOps+8) {
			t.Errorf("counter at %d after 32 signatures", n)
		}
	})
}

func BenchmarkSignTableFree(b *testing.B) {
	k := mustParse(b, readVector(b, "secret.key"))
	fp := []byte(strings.Fields(string(readVector(b, "fingerprints.txt")))[3])
	for b.Loop() {
		tableFreeSign(k.sk, fp)
	}
}

func BenchmarkSignStd(b *testing.B) {
	k := mustParse(b, readVector(b, "secret.key"))
	fp := []byte(strings.Fields(string(readVector(b, "fingerprints.txt")))[3])
	for b.Loop() {
		ed25519.Sign(k.sk[:], fp)
	}
}

func BenchmarkPublicKeyTableFree(b *testing.B) {
	seed := new([32]byte)
	for b.Loop() {
		tableFreePublicKey(seed)
	}
}

func BenchmarkPublicKeyStd(b *testing.B) {
	seed := new([32]byte)
	for b.Loop() {
		ed25519.NewKeyFromSeed(seed[:])
	}
}
