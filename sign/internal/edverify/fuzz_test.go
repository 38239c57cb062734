package edverify

import (
	"crypto/ed25519"
	"sync"
	"testing"
)

var (
	fuzzOnce sync.Once
	fuzzPub  [3]ed25519.PublicKey
	fuzzKeys [3]*Key
)

func fuzzSetup() {
	for i := range fuzzPub {
		seed := make([]byte, 32)
		seed[0] = byte(i)
		fuzzPub[i] = ed25519.NewKeyFromSeed(seed).Public().(ed25519.PublicKey)
		fuzzKeys[i], _ = NewKey((*[32]byte)(fuzzPub[i]))
	}
}

// FuzzVerify: Key.Verify and crypto/ed25519.Verify agree on any signature
// and message, for a few prepared keys (building a key's tables is too slow
// to do per input).
func FuzzVerify(f *testing.F) {
	fuzzOnce.Do(fuzzSetup)
	for i := range fuzzPub {
		seed := make([]byte, 32)
		seed[0] = byte(i)
		priv := ed25519.NewKeyFromSeed(seed)
		msg := []byte("1;/nix/store/x;sha256:y;1;")
		f.Add(uint8(i), msg, ed25519.Sign(priv, msg))
	}
	f.Fuzz(func(t *testing.T, which uint8, msg, sig []byte) {
		if len(sig) != 64 {
			return
		}
		i := int(which) % len(fuzzKeys)
		want := ed25519.Verify(fuzzPub[i], msg, sig)
		if got := fuzzKeys[i].Verify(string(msg), (*[64]byte)(sig)); got != want {
			t.Fatalf("key %d, msg %x, sig %x: got %v, want %v", i, msg, sig, got, want)
		}
	})
}
