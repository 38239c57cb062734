package sign

import (
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"github.com/nixsign/nixsign/sign/internal/nixkey"
)

// PublicKeySize is the size of an Ed25519 public key.
const PublicKeySize = ed25519.PublicKeySize

// PublicKey is a named Ed25519 public key. The zero PublicKey verifies
// nothing.
type PublicKey struct {
	Name string
	key  [PublicKeySize]byte
}

// NewPublicKey returns the key named name with the given 32 bytes.
func NewPublicKey(name string, key []byte) (PublicKey, error) {
	if err := ValidateName(name); err != nil {
		return PublicKey{}, err
	}
	if len(key) != PublicKeySize {
		return PublicKey{}, fmt.Errorf("public key is not valid: %d bytes, want %d", len(key), PublicKeySize)
	}
	k := PublicKey{Name: name}
	copy(k.key[:], key)
	return k, nil
}

// ParsePublicKey parses "<name>:<base64>" with the rules of Nix's Key
// constructor: the name is everything before the first ':' and must not be
// empty; the rest is decoded as Nix decodes base64 (see the package
// documentation) and must give 32 bytes. It accepts what Nix accepts; when
// k.String() != s, s was not in canonical form.
//
// Errors never quote s: a secret key pasted by mistake must not be echoed.
func ParsePublicKey(s string) (PublicKey, error) {
	var buf [PublicKeySize]byte
	name, n, err := parse(s, "public key", buf[:])
	if err != nil {
		return PublicKey{}, err
	}
	if n != PublicKeySize {
		hint := ""
		if n == ed25519.PrivateKeySize {
			hint = " (this looks like a secret key: never share it)"
		}
		return PublicKey{}, fmt.Errorf("public key %q is not valid: it decodes to %d bytes, want %d%s", name, n, PublicKeySize, hint)
	}
	k := PublicKey{Name: name}
	copy(k.key[:], buf[:])
	return k, nil
}

// parse splits s and decodes its base64 into buf, which receives at most
// len(buf) bytes; n is the full decoded length.
func parse(s, what string, buf []byte) (name string, n int, err error) {
	name, b64, ok := nixkey.Split(s)
	switch {
	case !ok && strings.HasPrefix(s, ":"):
		return "", 0, fmt.Errorf("%s is corrupt: empty name before ':'", what)
	case !ok:
		return "", 0, fmt.Errorf("%s is corrupt: no ':' (want NAME:BASE64)", what)
	case b64 == "":
		return "", 0, fmt.Errorf("%s %q is corrupt: nothing after ':'", what, name)
	}
	dec := make([]byte, nixkey.DecodedLen(len(b64)))
	n, err = nixkey.Decode(dec, b64)
	if err != nil {
		var ce *nixkey.CharError
		if errors.As(err, &ce) {
			return "", 0, fmt.Errorf("%s %q is corrupt: invalid base64 character %q at offset %d",
				what, name, ce.Char(), len(name)+1+ce.Offset)
		}
		return "", 0, err
	}
	copy(buf, dec[:n])
	return name, n, nil
}

// String returns the key as Nix prints it, "<name>:<padded base64>".
func (k PublicKey) String() string {
	return k.Name + ":" + base64.StdEncoding.EncodeToString(k.key[:])
}

// Bytes returns a copy of the 32 key bytes.
func (k PublicKey) Bytes() []byte { return append([]byte(nil), k.key[:]...) }

// Equal reports whether k and o have the same name and key bytes.
func (k PublicKey) Equal(o PublicKey) bool { return k == o }

// IsZero reports whether k is the zero PublicKey.
func (k PublicKey) IsZero() bool { return k == PublicKey{} }

// Verify reports whether sig is a valid signature of fingerprint by k. As in
// Nix, a signature is only checked against the key of its own name: a
// signature whose KeyName is not k.Name is not valid.
func (k PublicKey) Verify(fingerprint string, sig Signature) bool {
	if k.Name == "" || sig.KeyName != k.Name {
		return false
	}
	return verify(&k.key, fingerprint, &sig.sig)
}

// ValidateName checks the rules every key name must meet to be usable at
// all: it is not empty and contains no ':'.
func ValidateName(name string) error {
	switch {
	case name == "":
		return errors.New("key name is empty")
	case strings.Contains(name, ":"):
		return fmt.Errorf("key name %q contains ':'", name)
	}
	return nil
}

// ValidateNameForConf checks a key name meant to be listed in nix.conf's
// trusted-public-keys: ValidateName's rules, and no byte that nix.conf would
// split or cut the entry at or that would not survive a config line: no
// space, tab, '\r', '\n' or other ASCII control byte, and no '#' (nix.conf
// starts a comment there, even inside a value).
func ValidateNameForConf(name string) error {
	if err := ValidateName(name); err != nil {
		return err
	}
	for i := 0; i < len(name); i++ {
		switch c := name[i]; {
		case c == ' ' || c == '\t' || c == '\r' || c == '\n':
			return fmt.Errorf("key name %q contains whitespace, which nix.conf splits keys at", name)
		case c == '#':
			return fmt.Errorf("key name %q contains '#', which starts a comment in nix.conf", name)
		case c < 0x20 || c == 0x7f:
			return fmt.Errorf("key name %q contains the control character %q", name, c)
		}
	}
	return nil
}
