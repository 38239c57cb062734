package nixconf

import "strings"

// PublicKeys is the trusted key set as Nix 2.8.0's getDefaultPublicKeys
// builds it from a configuration, before any key is decoded.
type PublicKeys struct {
	// Keys are the trusted-public-keys entries that count, in order: the
	// first entry with a given name. An entry without a name (no ':' or
	// nothing before it) is kept: Nix fails on it when it uses the keys.
	Keys []KeyEntry
	// Shadowed are the entries dropped because an earlier entry has the
	// same name.
	Shadowed []KeyEntry
	// SecretKeyFiles are the secret-key-files entries. Nix adds the public
	// half of each file it can read after Keys; a name already in Keys wins,
	// and a file it cannot read is skipped. This package does not read them.
	SecretKeyFiles []Item
}

// A KeyEntry is one trusted-public-keys entry.
type KeyEntry struct {
	Name string // the text before the first ':'
	Item        // the whole entry, and where it came from
}

// DefaultPublicKeys returns the configuration's trusted keys.
func (c *Config) DefaultPublicKeys() PublicKeys {
	var pk PublicKeys
	tpk, _ := c.Get("trusted-public-keys")
	seen := make(map[string]bool, len(tpk.Items))
	for _, it := range tpk.Items {
		name, _, _ := strings.Cut(it.Text, ":")
		e := KeyEntry{Name: name, Item: it}
		if !strings.Contains(it.Text, ":") {
			e.Name = ""
		}
		if e.Name != "" && seen[e.Name] {
			pk.Shadowed = append(pk.Shadowed, e)
			continue
		}
		seen[e.Name] = true
		pk.Keys = append(pk.Keys, e)
	}
	skf, _ := c.Get("secret-key-files")
	pk.SecretKeyFiles = skf.Items
	return pk
}
