package nixconf

import (
	"errors"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
)

func addSeeds(f *testing.F) {
	paths, _ := filepath.Glob("testdata/corpus/*.txtar")
	for _, p := range paths {
		a, err := readArchive(p)
		if err != nil {
			f.Fatal(err)
		}
		for _, file := range a.files {
			if strings.HasSuffix(file.name, ".conf") || file.name == "NIX_CONFIG" {
				f.Add([]byte(file.data), []byte("require-sigs = 1\ninclude nix.conf\n"))
			}
		}
	}
	f.Add([]byte("include a\n"), []byte("extra-substituters = x\n!include a\n"))
	f.Add([]byte("a = b\r\n\x00include\x00 = \x00"), []byte("#"))
}

// FuzzParse checks that Parse never panics, that its lines rebuild the text,
// and that its errors carry "file:line: ".
func FuzzParse(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, data, _ []byte) {
		file, err := Parse("f", data)
		if err != nil {
			var e *Error
			if file != nil || !errors.As(err, &e) || e.File != "f" || e.Line < 1 ||
				!strings.HasPrefix(err.Error(), "f:"+strconv.Itoa(e.Line)+": ") || e.Nix == "" {
				t.Fatalf("Parse: %v, %#v", file, err)
			}
			return
		}
		text := string(data)
		var raws []string
		for i, l := range file.Lines {
			if l.Num != i+1 || text[l.Off:l.Off+len(l.Raw)] != l.Raw || strings.Contains(l.Raw, "\n") {
				t.Fatalf("line %d: %+v", i+1, l)
			}
			raws = append(raws, l.Raw)
			switch l.Kind {
			case LineBlank:
				if l.Name != "" || l.Value != "" {
					t.Fatalf("blank line %+v", l)
				}
			case LineSetting:
				if l.Name == "" || strings.ContainsAny(l.Name, " \t\r#") || strings.ContainsAny(l.Value, "\t\r#") ||
					strings.Contains(l.Value, "  ") || strings.Trim(l.Value, " \t\r\n") != l.Value {
					t.Fatalf("setting line %+v", l)
				}
			case LineInclude, LineOptionalInclude:
				if l.Value == "" || strings.ContainsAny(l.Value, " \t\r#") {
					t.Fatalf("include line %+v", l)
				}
			}
		}
		rebuilt := strings.Join(raws, "\n")
		if rebuilt != text && rebuilt+"\n" != text {
			t.Fatalf("lines do not rebuild the text")
		}
	})
}

// FuzzLoad applies a system file that may include a second file (and itself)
// and checks that Load never panics, that its errors are *Error with a
// position, and that it fails whenever Parse does.
func FuzzLoad(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, sys, inc []byte) {
		env := Env{
			Vars: map[string]string{"NIX_USER_CONF_FILES": "", "NIX_CONFIG": "include /etc/nix/a\n"},
			FS: fstest.MapFS{
				"etc/nix/nix.conf": {Data: sys},
				"etc/nix/a":        {Data: inc},
				"etc/nix/dir":      {Mode: 0o755 | 1<<31},
			},
		}
		cfg, err := Load(env)
		if err != nil {
			var e *Error
			if cfg != nil || !errors.As(err, &e) || e.File == "" || e.Line < 1 {
				t.Fatalf("Load: %v, %#v", cfg, err)
			}
			return
		}
		if _, perr := Parse("f", sys); perr != nil {
			t.Fatalf("Load succeeded where Parse fails: %v", perr)
		}
		for _, name := range trustSettings {
			v, ok := cfg.Get(name)
			if !ok {
				t.Fatalf("Get(%s) fails", name)
			}
			for _, it := range v.Items {
				if it.Text == "" || it.Origin.Layer != LayerDefault && it.Origin.Line < 1 {
					t.Fatalf("%s: item %+v", name, it)
				}
			}
		}
		cfg.Warnings()
		cfg.DefaultPublicKeys()
	})
}
