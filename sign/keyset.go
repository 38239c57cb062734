package sign

import (
	"fmt"

	"github.com/nixsign/nixsign/sign/internal/nixkey"
)

// KeySet is a set of trusted public keys looked up by name, as Nix's
// PublicKeys map is. The nil *KeySet is empty. It is safe for concurrent
// use.
//
// A KeySet makes libsodium's checks of each key once, not per signature.
type KeySet struct {
	byName   map[string]*keyState
	keys     []PublicKey
	shadowed []Shadowed
}

// Shadowed records a key that a KeySet built by NewNixKeySet ignores
// because an earlier key has its name.
type Shadowed struct {
	Key PublicKey // the ignored key
	By  PublicKey // the earlier key of the same name, which is used
}

// NewKeySet returns the set of keys. Two keys with the same name and
// different bytes are an error naming both, as in x/mod/sumdb/note's
// Verifiers: nixsign's own key lists never silently pick one. The same key
// listed twice is kept once.
func NewKeySet(keys ...PublicKey) (*KeySet, error) {
	ks := NewNixKeySet(keys...)
	for _, sh := range ks.shadowed {
		if !sh.Key.Equal(sh.By) {
			return nil, fmt.Errorf("two different keys are named %q: %s and %s", sh.Key.Name, sh.By, sh.Key)
		}
	}
	ks.shadowed = nil
	return ks, nil
}

// NewNixKeySet returns the set of keys the way Nix builds it from
// trusted-public-keys and secret-key-files (getDefaultPublicKeys): when two
// keys share a name the first one stays and the later one is ignored.
// Shadowed lists the ignored ones. Keys with an empty name are ignored, as
// Nix cannot parse them.
func NewNixKeySet(keys ...PublicKey) *KeySet {
	ks := &KeySet{byName: make(map[string]*keyState, len(keys))}
	for _, k := range keys {
		if k.Name == "" {
			continue
		}
		if first, ok := ks.byName[k.Name]; ok {
			ks.shadowed = append(ks.shadowed, Shadowed{Key: k, By: first.key})
			continue
		}
		ks.byName[k.Name] = newKeyState(k)
		ks.keys = append(ks.keys, k)
	}
	return ks
}

// Lookup returns the key named name. An unknown name is not an error.
func (ks *KeySet) Lookup(name string) (PublicKey, bool) {
	if ks == nil {
		return PublicKey{}, false
	}
	if st, ok := ks.byName[name]; ok {
		return st.key, true
	}
	return PublicKey{}, false
}

// Keys returns the keys in the set, in the order they were given.
func (ks *KeySet) Keys() []PublicKey {
	if ks == nil {
		return nil
	}
	return append([]PublicKey(nil), ks.keys...)
}

// Len returns the number of keys in the set.
func (ks *KeySet) Len() int {
	if ks == nil {
		return 0
	}
	return len(ks.keys)
}

// Shadowed returns the keys NewNixKeySet ignored, in the order given.
func (ks *KeySet) Shadowed() []Shadowed {
	if ks == nil {
		return nil
	}
	return append([]Shadowed(nil), ks.shadowed...)
}

// VerifyString is Nix's verifyDetached: it reports whether the stored
// signature string sig is a valid signature of fingerprint by a key in the
// set.
//
//   - sig is split at the first ':'; with no ':' or an empty name the name is
//     "", which no key has.
//   - A name not in the set gives false and no error; sig is not decoded.
//   - Otherwise the rest must decode (Nix's base64 rules) to 64 bytes, or
//     VerifyString returns an error, as Nix throws "signature is not valid".
//   - Only the key of that name is tried.
func (ks *KeySet) VerifyString(fingerprint, sig string) (bool, error) {
	name, b64, _ := nixkey.Split(sig)
	if ks == nil {
		return false, nil
	}
	st, ok := ks.byName[name]
	if !ok {
		return false, nil
	}
	dec := make([]byte, nixkey.DecodedLen(len(b64)))
	n, err := nixkey.Decode(dec, b64)
	if err != nil {
		return false, fmt.Errorf("signature %q is not valid: %v", sig, err)
	}
	if n != SignatureSize {
		return false, fmt.Errorf("signature %q is not valid: it decodes to %d bytes, want %d", sig, n, SignatureSize)
	}
	var s [SignatureSize]byte
	copy(s[:], dec)
	return st.verify(fingerprint, &s), nil
}
