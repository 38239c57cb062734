package sign

import (
	"strings"
	"testing"
)

func TestNewKeySet(t *testing.T) {
	k1, k2 := testKey(t), testKey2(t)
	impostor, _ := NewPublicKey(k1.Name, k2.Bytes())

	ks, err := NewKeySet(k1, k2, k1)
	if err != nil {
		t.Fatal(err)
	}
	if ks.Len() != 2 || len(ks.Shadowed()) != 0 {
		t.Errorf("Len = %d, Shadowed = %v", ks.Len(), ks.Shadowed())
	}
	if k, ok := ks.Lookup("gbck-1"); !ok || k != k2 {
		t.Errorf("Lookup(gbck-1) = %v, %v", k, ok)
	}
	if _, ok := ks.Lookup("nobody"); ok {
		t.Error("Lookup of an unknown name succeeded")
	}
	if _, ok := ks.Lookup(""); ok {
		t.Error(`Lookup("") succeeded`)
	}

	_, err = NewKeySet(k1, k2, impostor)
	if err == nil {
		t.Fatal("NewKeySet accepted two keys named test-key-1")
	}
	for _, want := range []string{`"test-key-1"`, k1.String(), impostor.String()} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %s", err, want)
		}
	}
}

// TestNewNixKeySet: as in Nix's getDefaultPublicKeys, the first key of a
// name wins (src/libstore/crypto.cc in Nix 2.8.0).
func TestNewNixKeySet(t *testing.T) {
	k1, k2 := testKey(t), testKey2(t)
	impostor, _ := NewPublicKey(k1.Name, k2.Bytes())
	ks := NewNixKeySet(impostor, k2, k1, k1, PublicKey{})
	if k, _ := ks.Lookup(k1.Name); k != impostor {
		t.Errorf("Lookup = %v, want the first key %v", k, impostor)
	}
	if got := ks.Keys(); len(got) != 2 || got[0] != impostor || got[1] != k2 {
		t.Errorf("Keys = %v", got)
	}
	sh := ks.Shadowed()
	if len(sh) != 2 || sh[0].Key != k1 || sh[0].By != impostor || sh[1].Key != k1 {
		t.Errorf("Shadowed = %v", sh)
	}
	var nilSet *KeySet
	if nilSet.Len() != 0 || nilSet.Keys() != nil || nilSet.Shadowed() != nil {
		t.Error("nil KeySet is not empty")
	}
}
