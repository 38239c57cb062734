package narinfo

import (
	"reflect"
	"testing"

	"github.com/nixsign/nixsign/nix/storepath"
)

func FuzzParse(f *testing.F) {
	for _, name := range narinfoVectors(f) {
		f.Add(readVector(f, name))
	}
	base := z45a(f)
	for _, c := range parseCases(f) {
		f.Add([]byte(c.edit(base)))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		n, err := Parse(storepath.DefaultDir, data, "fuzz")
		if err != nil {
			if n != nil {
				t.Fatalf("Parse returned %v with error %v", n, err)
			}
			return
		}
		s := n.String()
		n2, err := Parse(storepath.DefaultDir, []byte(s), "fuzz")
		if err != nil {
			t.Fatalf("String() does not parse: %v\n%s", err, s)
		}
		if !reflect.DeepEqual(n, n2) {
			t.Fatalf("Parse(String()) = %+v, want %+v", n2, n)
		}
		if s2 := n2.String(); s2 != s {
			t.Fatalf("String() not canonical:\n%s\nthen\n%s", s, s2)
		}
	})
}

func FuzzParseCacheInfo(f *testing.F) {
	f.Add(readVector(f, "nix-cache-info"))
	for _, c := range cacheInfoCases {
		f.Add([]byte(c.in))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := ParseCacheInfo(data, "fuzz")
		if err != nil {
			if c != nil {
				t.Fatalf("ParseCacheInfo returned %v with error %v", c, err)
			}
			return
		}
		s := c.String()
		c2, err := ParseCacheInfo([]byte(s), "fuzz")
		if err != nil {
			t.Fatalf("String() does not parse: %v\n%s", err, s)
		}
		if *c2 != *c {
			t.Fatalf("ParseCacheInfo(String()) = %+v, want %+v", c2, c)
		}
		if c2.String() != s {
			t.Fatalf("String() not canonical: %q", s)
		}
	})
}
