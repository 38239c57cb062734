package floxconf

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/nixsign/nixsign/conf/internal/tomldoc"
)

// FuzzEdit checks that Set and Unset never panic and that, when they
// succeed, the result parses, holds (or lacks) the key, and keeps every other
// key's value.
func FuzzEdit(f *testing.F) {
	ins, _ := filepath.Glob("testdata/edit/*.in")
	for _, in := range ins {
		src, err := os.ReadFile(in)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(src, "k/key.sec")
	}
	f.Add([]byte("a = \"\"\"\n[publish]\n\"\"\"\n"), `we"ird\path`)
	f.Add([]byte("publish.x.y = 1\n[b]\nc = [1, {d = 2}]\n"), "a b")
	f.Fuzz(func(t *testing.T, src []byte, value string) {
		value = "/" + value
		before, err := tomldoc.Decode("f", src)
		if err != nil {
			if _, err := Set(src, value); err == nil {
				t.Fatal("Set accepted invalid TOML")
			}
			return
		}
		if out, err := Set(src, value); err == nil {
			after, err := tomldoc.Decode("f", out)
			if err != nil {
				t.Fatalf("Set produced invalid TOML: %v\n%s", err, out)
			}
			pub, _ := after["publish"].(map[string]any)
			if pub["signing_private_key"] != value {
				t.Fatalf("Set: key reads %q, want %q\n%s", pub["signing_private_key"], value, out)
			}
			if !equalTOML(dropKey(before), dropKey(after)) {
				t.Fatalf("Set changed other keys:\n%s\n----\n%s", src, out)
			}
			if again, err := Set(out, value); err != nil || !bytes.Equal(again, out) {
				t.Fatalf("Set not idempotent: %v", err)
			}
		}
		if out, removed, err := Unset(src); err == nil {
			after, err := tomldoc.Decode("f", out)
			if err != nil {
				t.Fatalf("Unset produced invalid TOML: %v\n%s", err, out)
			}
			if pub, ok := after["publish"].(map[string]any); ok {
				if _, has := pub["signing_private_key"]; has {
					t.Fatalf("Unset left the key:\n%s", out)
				}
			}
			if !equalTOML(dropKey(before), dropKey(after)) {
				t.Fatalf("Unset changed other keys:\n%s\n----\n%s", src, out)
			}
			if !removed && !bytes.Equal(out, src) {
				t.Fatal("Unset changed a file without the key")
			}
		}
		Get("f", src)
	})
}
