package tomldoc

import (
	"testing"
	"time"
)

func TestDecode(t *testing.T) {
	doc, err := Decode("c.toml", []byte("a = 1\n[t]\nb = 'x'\n"))
	if err != nil {
		t.Fatal(err)
	}
	if doc["a"] != int64(1) || doc["t"].(map[string]any)["b"] != "x" {
		t.Errorf("Decode = %v", doc)
	}
	if doc, err := Decode("c.toml", nil); err != nil || doc == nil || len(doc) != 0 {
		t.Errorf("Decode(empty) = %v, %v", doc, err)
	}
}

func TestDecodeErrors(t *testing.T) {
	for _, tt := range []struct{ src, want string }{
		{"store = \n", `c.toml:1:9: expected value but found '\n' instead`},
		{"a = 1\na = 2\n", `c.toml:2:1: Key 'a' has already been defined.`},
		{"\xef\xbb\xbfstore = \n", `c.toml:1:12: expected value but found '\n' instead`},
	} {
		doc, err := Decode("c.toml", []byte(tt.src))
		if err == nil || err.Error() != tt.want || doc != nil {
			t.Errorf("Decode(%q) = %v, %v; want error %s", tt.src, doc, err, tt.want)
		}
	}
}

func TestTypeName(t *testing.T) {
	for _, tt := range []struct {
		v    any
		want string
	}{
		{"s", "string"}, {int64(1), "integer"}, {1.5, "float"}, {true, "boolean"}, {time.Time{}, "datetime"},
		{map[string]any{}, "table"}, {[]map[string]any{}, "array of tables"}, {[]any{}, "array"}, {int8(1), "int8"},
	} {
		if got := TypeName(tt.v); got != tt.want {
			t.Errorf("TypeName(%#v) = %q, want %q", tt.v, got, tt.want)
		}
	}
}

// FuzzDecode checks that Decode never panics and returns no document with an
// error.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{"a = 1\n", "store = \n", "\xef\xbb\xbfa = [\n", "\xff\xfe= 1"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if doc, err := Decode("f", data); err != nil && doc != nil {
			t.Fatal("document returned with an error")
		}
	})
}
