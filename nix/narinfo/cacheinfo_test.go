package narinfo

import (
	"strings"
	"testing"
)

var cacheInfoCases = []struct {
	in   string
	want CacheInfo
	err  string // substring of the error
}{
	{in: "StoreDir: /nix/store\n", want: CacheInfo{StoreDir: "/nix/store"}},
	{in: "StoreDir: /nix/store\nWantMassQuery: 1\nPriority: 40\n", want: CacheInfo{"/nix/store", true, 40}},
	{in: "StoreDir:/nix/store  \r\nWantMassQuery: 1 \n", want: CacheInfo{"/nix/store", true, 0}},
	{in: "StoreDir: /nix/store", want: CacheInfo{StoreDir: "/nix/store"}},
	{in: " StoreDir: /other\nnocolon\n\nFoo: bar\n", want: CacheInfo{}},
	{in: "WantMassQuery: true\n", want: CacheInfo{}},
	{in: "WantMassQuery: 1\nWantMassQuery: 0\n", want: CacheInfo{}},
	{in: "Priority: 12abc\n", want: CacheInfo{Priority: 12}},
	{in: "Priority: \v-7\n", want: CacheInfo{Priority: -7}},
	{in: "Priority: +3\nPriority: 5\n", want: CacheInfo{Priority: 5}},
	{in: "StoreDir: /nix/store\nStoreDir: /nix/store\n", want: CacheInfo{StoreDir: "/nix/store"}},
	{in: "Priority: abc\n", err: `x:1: Priority: "abc" is not a number`},
	{in: "\nPriority: 99999999999\n", err: "x:2: Priority: \"99999999999\" is out of range"},
	{in: "StoreDir: \n", err: "x:1: StoreDir: empty"},
	{in: "StoreDir: /a\nStoreDir: /b\n", err: `x:2: StoreDir: "/b" differs from "/a"`},
}

func TestParseCacheInfo(t *testing.T) {
	for _, c := range cacheInfoCases {
		got, err := ParseCacheInfo([]byte(c.in), "x")
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) || got != nil {
				t.Errorf("ParseCacheInfo(%q) = %v, %v; want error %q", c.in, got, err, c.err)
			}
			continue
		}
		if err != nil || *got != c.want {
			t.Errorf("ParseCacheInfo(%q) = %+v, %v; want %+v", c.in, got, err, c.want)
		}
	}
}

func TestCacheInfoVector(t *testing.T) {
	data := readVector(t, "nix-cache-info")
	c, err := ParseCacheInfo(data, "nix-cache-info")
	if err != nil {
		t.Fatal(err)
	}
	if c.StoreDir != "/nix/store" || c.String() != string(data) {
		t.Errorf("got %+v, String() %q", c, c.String())
	}
	full := CacheInfo{StoreDir: "/nix/store", WantMassQuery: true, Priority: 40}
	if got, want := full.String(), "StoreDir: /nix/store\nWantMassQuery: 1\nPriority: 40\n"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}
