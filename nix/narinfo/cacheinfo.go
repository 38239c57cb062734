package narinfo

import (
	"fmt"
	"strconv"
	"strings"
)

// CacheInfo is the content of a binary cache's nix-cache-info file, for
// example (as `nix copy --to file://DIR` writes it)
//
//	StoreDir: /nix/store
//
// or, from a cache that asks to be queried in bulk and ranked,
//
//	StoreDir: /nix/store
//	WantMassQuery: 1
//	Priority: 40
//
// Nix 2.8.0 (BinaryCacheStore::init) reads it line by line, skipping empty
// lines and lines without ':'. The key is everything before the first ':'
// and the value the rest with spaces, tabs, CRs and LFs trimmed from both
// ends. Unknown keys are ignored and a repeated key overrides. Nix checks
// every StoreDir line against its own store dir, "WantMassQuery: 1" (exactly
// "1") turns mass queries on, and Priority is read with std::stoi.
type CacheInfo struct {
	StoreDir      string // "" when the file names none
	WantMassQuery bool
	Priority      int // 0 when unset, as in Nix
}

// ParseCacheInfo parses a nix-cache-info file. name names the file in error
// messages ("name:line: problem"). Besides a bad Priority, it rejects what
// would make Nix refuse the cache whatever its own store dir: an empty
// StoreDir, or two different ones.
func ParseCacheInfo(data []byte, name string) (*CacheInfo, error) {
	c := &CacheInfo{}
	haveDir := false
	lineNo := 0
	for line := range strings.SplitSeq(string(data), "\n") {
		lineNo++
		key, value, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		value = strings.Trim(value, " \n\r\t")
		switch key {
		case "StoreDir":
			if value == "" {
				return nil, fmt.Errorf("%s:%d: StoreDir: empty", name, lineNo)
			}
			if haveDir && value != c.StoreDir {
				return nil, fmt.Errorf("%s:%d: StoreDir: %q differs from %q", name, lineNo, value, c.StoreDir)
			}
			c.StoreDir, haveDir = value, true
		case "WantMassQuery":
			c.WantMassQuery = value == "1"
		case "Priority":
			p, err := stoi(value)
			if err != nil {
				return nil, fmt.Errorf("%s:%d: Priority: %v", name, lineNo, err)
			}
			c.Priority = p
		}
	}
	return c, nil
}

// stoi reads an int as C++'s std::stoi does: leading white space, an optional
// sign, at least one decimal digit, and whatever follows ignored; the value
// must fit in a 32-bit int.
func stoi(s string) (int, error) {
	s = strings.TrimLeft(s, " \t\n\v\f\r")
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	j := i
	for j < len(s) && '0' <= s[j] && s[j] <= '9' {
		j++
	}
	if j == i {
		return 0, fmt.Errorf("%q is not a number", s)
	}
	n, err := strconv.ParseInt(s[:j], 10, 32)
	if err != nil {
		return 0, fmt.Errorf("%q is out of range", s[:j])
	}
	return int(n), nil
}

// String returns the file's text: a StoreDir line when StoreDir is set, then
// "WantMassQuery: 1" when it is true and a Priority line when it is not 0.
func (c *CacheInfo) String() string {
	var b strings.Builder
	if c.StoreDir != "" {
		b.WriteString("StoreDir: " + c.StoreDir + "\n")
	}
	if c.WantMassQuery {
		b.WriteString("WantMassQuery: 1\n")
	}
	if c.Priority != 0 {
		b.WriteString("Priority: " + strconv.Itoa(c.Priority) + "\n")
	}
	return b.String()
}
