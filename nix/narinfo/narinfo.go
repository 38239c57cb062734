// Package narinfo reads and writes the .narinfo files of a Nix binary cache
// and the cache's nix-cache-info file.
//
// A narinfo describes one store path: where its compressed NAR is, the hash
// and size of the NAR, its references, its deriver and its signatures. It is a
// list of "Key: value" lines, for example (the test vector
// l5jifip347hnkb691a1ks3v6ig2vm67z.narinfo, from `nix copy` in Nix 2.8.0):
//
//	StorePath: /nix/store/l5jifip347hnkb691a1ks3v6ig2vm67z-sigtest-a-dev
//	URL: nar/0lqd8fq6zjc1vwn9qzbasmarq0ca2p0dsa2p6mhj1b217dg0yw8j.nar.xz
//	Compression: xz
//	FileHash: sha256:0lqd8fq6zjc1vwn9qzbasmarq0ca2p0dsa2p6mhj1b217dg0yw8j
//	FileSize: 216
//	NarHash: sha256:12frmx2v5shc4x9rcc6az9xbb5x4aw2f4an24p7gqx2qbrzsgvws
//	NarSize: 224
//	References: hgl6cwhlhzpznapan2nfnls2nyyv4lqb-run.sh qyg4k09x25qhai8v5zk0idkmv8mq4wwl-sigtest-a
//	Deriver: 509vmzxssa8q7cbjzr7dban5scdp6693-sigtest-a.drv
//	Sig: test-key-1:aJMYrYPgTSOtW7xqBCeHJyY3zKqsdAMLgKDVlxpn8FYp7sL8kfWnArwvwPQbi0aGvzuKtNU3zRQJMlTEd3YfCg==
//
// Nix writes the keys in this order, Deriver only when known, then
// "System: <system>" only when known, one Sig line per signature (sorted
// byte-wise, without duplicates) and last, for content-addressed paths,
// "CA: <content address>", e.g.
// "CA: fixed:r:sha256:00zns3gj9hwz2a4b0i07y7nmxybq59lh24bl3xsxblcl6333mjil".
// References are base names, sorted and separated by single spaces; the line
// is "References: " with a trailing space when there are none.
//
// Parse follows Nix 2.8.0's lenient reader. The key runs to the first ':'
// and the value from two bytes after the colon to the next '\n': the byte
// after the colon is skipped unchecked, so "Key:\nvalue\n" gives Key the
// value "value", and a line without ':' becomes part of the next line's key.
// Every entry, the last included, must end in '\n'. Unknown keys are
// ignored. A repeated key overrides, except that Sig lines accumulate and a
// References line after non-empty references, or a CA after a non-empty CA,
// is an error. References are split on spaces, empty tokens dropped.
// "Deriver: unknown-deriver" means no deriver. A missing or empty Compression
// means bzip2. StorePath, NarHash, URL and a non-zero NarSize are required.
// Sizes are decimal with an optional '+', as boost::lexical_cast reads them.
// Store path base names are checked by package storepath, which is slightly
// stricter than 2.8.0: it wants the '-' after the hash part and rejects
// names such as ".-x", as Nix 2.21 and later do.
//
// Parse then String reproduces what Nix writes for the same file, and String
// then Parse gives back the same NarInfo.
package narinfo

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/nixsign/nixsign/nix/hash"
	"github.com/nixsign/nixsign/nix/storepath"
)

// NarInfo is the content of a .narinfo file.
type NarInfo struct {
	StoreDir    string         // the store dir of StorePath; "" means storepath.DefaultDir
	StorePath   storepath.Path // the path described
	URL         string         // of the compressed NAR, relative to the cache
	Compression string         // "xz", "bzip2", "zstd", "none", ...
	FileHash    hash.Hash      // of the compressed NAR; zero when unknown
	FileSize    uint64         // of the compressed NAR; 0 when unknown
	NarHash     hash.Hash
	NarSize     uint64
	References  []storepath.Path // sorted by base name, no duplicates
	Deriver     string           // base name of the .drv; "" when unknown
	System      string           // "" when unknown
	Sigs        []string         // "keyname:base64", sorted byte-wise, no duplicates
	CA          string           // content address, "" for input-addressed paths
}

// unknownDeriver is the Deriver value Nix reads as "no deriver".
const unknownDeriver = "unknown-deriver"

// Parse parses a narinfo file. storeDir is the store dir StorePath must be
// in ("" means storepath.DefaultDir). name names the file in error messages,
// which read
//
//	NAR info file 'NAME' is corrupt: line N: reason
//
// (without "line N: " for a missing field). References and Sigs come back
// sorted and without duplicates, as Nix holds them, and the CA and hashes as
// Nix would write them back.
func Parse(storeDir string, data []byte, name string) (*NarInfo, error) {
	if storeDir == "" {
		storeDir = storepath.DefaultDir
	}
	n := &NarInfo{StoreDir: storeDir}
	var havePath, haveNarHash bool
	line := 1
	corrupt := func(format string, args ...any) error {
		return fmt.Errorf("NAR info file '%s' is corrupt: line %d: %s", name, line, fmt.Sprintf(format, args...))
	}
	for pos := 0; pos < len(data); {
		colon := bytes.IndexByte(data[pos:], ':')
		if colon < 0 {
			return nil, corrupt("expecting ':'")
		}
		colon += pos
		eol := -1
		if colon+2 <= len(data) {
			if i := bytes.IndexByte(data[colon+2:], '\n'); i >= 0 {
				eol = colon + 2 + i
			}
		}
		if eol < 0 {
			return nil, corrupt(`expecting '\n'`)
		}
		key, value := data[pos:colon], string(data[colon+2:eol])
		if err := n.set(string(key), value, &havePath, &haveNarHash); err != nil {
			return nil, corrupt("%v", err)
		}
		line += bytes.Count(data[pos:eol+1], []byte{'\n'})
		pos = eol + 1
	}
	if n.Compression == "" {
		n.Compression = "bzip2"
	}
	missing := ""
	switch {
	case !havePath:
		missing = "StorePath missing"
	case !haveNarHash:
		missing = "NarHash missing"
	case n.URL == "":
		missing = "URL missing"
	case n.NarSize == 0:
		missing = "NarSize missing or zero"
	}
	if missing != "" {
		return nil, fmt.Errorf("NAR info file '%s' is corrupt: %s", name, missing)
	}
	slices.Sort(n.Sigs)
	n.Sigs = slices.Compact(n.Sigs)
	return n, nil
}

// set applies one "key: value" entry.
func (n *NarInfo) set(key, value string, havePath, haveNarHash *bool) error {
	var err error
	switch key {
	case "StorePath":
		if n.StorePath, err = storepath.Parse(n.StoreDir, value); err != nil {
			return fmt.Errorf("StorePath: %v", err)
		}
		*havePath = true
	case "URL":
		n.URL = value
	case "Compression":
		n.Compression = value
	case "FileHash":
		if n.FileHash, err = hash.Parse(value); err != nil {
			return fmt.Errorf("FileHash: %v", err)
		}
	case "FileSize":
		if n.FileSize, err = parseSize(value); err != nil {
			return fmt.Errorf("invalid FileSize %q", value)
		}
	case "NarHash":
		if n.NarHash, err = hash.Parse(value); err != nil {
			return fmt.Errorf("NarHash: %v", err)
		}
		*haveNarHash = true
	case "NarSize":
		if n.NarSize, err = parseSize(value); err != nil {
			return fmt.Errorf("invalid NarSize %q", value)
		}
	case "References":
		return n.setReferences(value)
	case "Deriver":
		if value != unknownDeriver {
			if _, err := storepath.ParseBase(value); err != nil {
				return fmt.Errorf("Deriver: %v", err)
			}
			n.Deriver = value
		}
	case "System":
		n.System = value
	case "Sig":
		n.Sigs = append(n.Sigs, value)
	case "CA":
		return n.setCA(value)
	}
	return nil
}

func (n *NarInfo) setReferences(value string) error {
	if len(n.References) > 0 {
		return errors.New("extra References")
	}
	for tok := range strings.SplitSeq(value, " ") {
		if tok == "" {
			continue // Nix's tokenizeString skips empty tokens
		}
		p, err := storepath.ParseBase(tok)
		if err != nil {
			return fmt.Errorf("References: %v", err)
		}
		n.References = append(n.References, p)
	}
	slices.SortFunc(n.References, comparePaths)
	n.References = slices.Compact(n.References)
	return nil
}

func (n *NarInfo) setCA(value string) error {
	if n.CA != "" {
		return errors.New("extra CA")
	}
	if value == "" {
		return nil // Nix's parseContentAddressOpt: no content address
	}
	ca, err := storepath.ParseCA(value)
	if err != nil {
		return fmt.Errorf("CA: %v", err)
	}
	// Nix wants "<algo>:<hash>" after the method; storepath.ParseCA also
	// takes SRI, which Nix 2.8.0 rejects here.
	if !strings.Contains(value[len(ca.Method)+1:], ":") {
		return fmt.Errorf("CA: content address %q: hash must be in form '<algo>:<hash>'", value)
	}
	n.CA = ca.String()
	return nil
}

// parseSize parses an unsigned decimal as boost::lexical_cast<uint64_t> does
// in Nix's string2Int: an optional '+', then at least one digit, no spaces,
// no overflow.
func parseSize(s string) (uint64, error) {
	s = strings.TrimPrefix(s, "+")
	if s == "" {
		return 0, errSize
	}
	var n uint64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, errSize
		}
		d := uint64(c - '0')
		if n > (^uint64(0)-d)/10 {
			return 0, errSize
		}
		n = n*10 + d
	}
	return n, nil
}

var errSize = errors.New("invalid size")

func comparePaths(a, b storepath.Path) int { return strings.Compare(a.Base(), b.Base()) }
