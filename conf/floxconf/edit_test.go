package floxconf

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nixsign/nixsign/conf/internal/tomldoc"
)

var update = flag.Bool("update", false, "rewrite the .golden files")

const testKey = "/home/u/.config/flox/signing.sec"

// TestEditGolden runs Set and Unset on every testdata/edit/NAME.in and
// compares with NAME.set.golden and NAME.unset.golden ("error: ..." when the
// edit fails, the input unchanged when there was nothing to unset).
func TestEditGolden(t *testing.T) {
	ins, _ := filepath.Glob("testdata/edit/*.in")
	if len(ins) == 0 {
		t.Fatal("no test files")
	}
	for _, in := range ins {
		name := strings.TrimSuffix(in, ".in")
		t.Run(filepath.Base(name), func(t *testing.T) {
			src, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			out, err := Set(src, testKey)
			checkGolden(t, name+".set.golden", out, err)
			if err == nil {
				v, _, ok, err := Get("x", out)
				if err != nil || !ok || v != testKey {
					t.Errorf("Get after Set = %q, %v, %v", v, ok, err)
				}
				// Setting again changes nothing.
				again, err := Set(out, testKey)
				if err != nil || !bytes.Equal(again, out) {
					t.Errorf("Set is not idempotent: %v\n%s", err, again)
				}
			}
			out, _, err = Unset(src)
			checkGolden(t, name+".unset.golden", out, err)
			if err == nil {
				if _, _, ok, err := Get("x", out); ok || err != nil {
					t.Errorf("Get after Unset: ok=%v err=%v", ok, err)
				}
			}
		})
	}
}

func checkGolden(t *testing.T, file string, out []byte, err error) {
	t.Helper()
	if err != nil {
		out = []byte("error: " + err.Error() + "\n")
	}
	if *update {
		if err := os.WriteFile(file, out, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, rerr := os.ReadFile(file)
	if rerr != nil {
		t.Fatalf("%v (run go test -update)", rerr)
	}
	if !bytes.Equal(out, want) {
		t.Errorf("%s:\ngot:\n%s\nwant:\n%s", file, out, want)
	}
}

func TestSetFreshMatchesFlox(t *testing.T) {
	// What `flox config --set publish.signing_private_key /k` writes into a
	// new file (toml_edit: a [publish] table, a basic string).
	out, err := Set(nil, "/k")
	if err != nil {
		t.Fatal(err)
	}
	if want := "[publish]\nsigning_private_key = \"/k\"\n"; string(out) != want {
		t.Errorf("got %q, want %q", out, want)
	}
}

func TestQuote(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{`/a/b`, `"/a/b"`},
		{`/a b/c`, `"/a b/c"`},
		{`/a"b`, `"/a\"b"`},
		{`/a\b`, `'/a\b'`},
		{`/a\b'c`, `"/a\\b'c"`},
		{"/a\x01b", `"/a\u0001b"`},
		{"/ünï", `"/ünï"`},
	} {
		if got := quote(tt.in); got != tt.want {
			t.Errorf("quote(%q) = %s, want %s", tt.in, got, tt.want)
		}
		doc, err := tomldoc.Decode("x", []byte("k = "+quote(tt.in)))
		if err != nil || doc["k"] != tt.in {
			t.Errorf("quote(%q) reads back as %q, %v", tt.in, doc["k"], err)
		}
	}
}

func TestSetRefusesBadValues(t *testing.T) {
	for _, v := range []string{"", "key.sec", "./key.sec", "~/key.sec", "~", "/a\nb", "/\xff"} {
		if out, err := Set([]byte("x = 1\n"), v); err == nil {
			t.Errorf("Set(%q) = %q, want error", v, out)
		}
	}
}

func TestSetFile(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "sub", "flox", "flox.toml")

	// A missing file and directory are created, 0600 and 0755.
	if _, err := SetFile(file, "/k/one"); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(file)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("new file mode %v, want 0600", fi.Mode().Perm())
	}
	if di, _ := os.Stat(filepath.Dir(file)); di.Mode().Perm()&^0o022 != 0o755&^0o022 {
		t.Errorf("new dir mode %v", di.Mode().Perm())
	}
	if got, _ := os.ReadFile(file); string(got) != "[publish]\nsigning_private_key = \"/k/one\"\n" {
		t.Errorf("new file:\n%s", got)
	}

	// An existing file keeps its mode.
	os.Chmod(file, 0o640)
	warnings, err := SetFile(file, "/k/with space")
	if err != nil {
		t.Fatal(err)
	}
	if len(warnings) != 1 || !strings.Contains(warnings[0], "'+'") {
		t.Errorf("warnings = %q", warnings)
	}
	if fi, _ := os.Stat(file); fi.Mode().Perm() != 0o640 {
		t.Errorf("mode after edit %v, want 0640", fi.Mode().Perm())
	}

	// Refused values leave the file alone.
	before, _ := os.ReadFile(file)
	if _, err := SetFile(file, "rel.sec"); err == nil || !strings.Contains(err.Error(), "relative path") {
		t.Errorf("relative: %v", err)
	}
	if after, _ := os.ReadFile(file); !bytes.Equal(before, after) {
		t.Error("refused edit changed the file")
	}

	// Unset, then unset again.
	if removed, err := UnsetFile(file); !removed || err != nil {
		t.Errorf("UnsetFile = %v, %v", removed, err)
	}
	if got, _ := os.ReadFile(file); string(got) != "[publish]\n" {
		t.Errorf("after unset:\n%q", got)
	}
	if removed, err := UnsetFile(file); removed || err != nil {
		t.Errorf("second UnsetFile = %v, %v", removed, err)
	}
	if removed, err := UnsetFile(filepath.Join(dir, "none.toml")); removed || err != nil {
		t.Errorf("UnsetFile(missing) = %v, %v", removed, err)
	}
	if _, err := os.Stat(filepath.Join(dir, "none.toml")); err == nil {
		t.Error("UnsetFile created a file")
	}

	// No temporary files are left behind.
	ents, _ := os.ReadDir(filepath.Dir(file))
	if len(ents) != 1 {
		t.Errorf("directory holds %d entries", len(ents))
	}
}

func TestSetFileSymlink(t *testing.T) {
	dir := t.TempDir()
	real := filepath.Join(dir, "dotfiles", "flox.toml")
	os.MkdirAll(filepath.Dir(real), 0o755)
	os.WriteFile(real, []byte("x = 1\n"), 0o644)
	link := filepath.Join(dir, "flox.toml")
	os.Symlink(real, link)
	if _, err := SetFile(link, "/k"); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Lstat(link); fi.Mode()&os.ModeSymlink == 0 {
		t.Error("the link was replaced")
	}
	if got, _ := os.ReadFile(real); !bytes.Contains(got, []byte(`signing_private_key = "/k"`)) {
		t.Errorf("target:\n%s", got)
	}

	store := filepath.Join(dir, "hm.toml")
	os.Symlink("/nix/store/00000000000000000000000000000000-home-manager-files/flox.toml", store)
	if _, err := SetFile(store, "/k"); err == nil || !strings.Contains(err.Error(), "Nix store") {
		t.Errorf("link into the store: %v", err)
	}
}

func TestGetErrors(t *testing.T) {
	for _, tt := range []struct{ src, want string }{
		{"[publish]\nsigning_private_key = 1\n", "f.toml:2: publish.signing_private_key: want a string, got integer"},
		{"publish = 1\n", "f.toml:1: publish: want a table, got integer"},
		{"a = \n", "f.toml:1:5: "},
		{"[publish.signing_private_key]\nx = 1\n", "f.toml:1: publish.signing_private_key: want a string, got table"},
	} {
		_, _, _, err := Get("f.toml", []byte(tt.src))
		if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("Get(%q) error = %v, want prefix %q", tt.src, err, tt.want)
		}
	}
	v, line, ok, err := Get("f.toml", []byte("# c\n\n[publish]\nsigning_private_key = '/k'\n"))
	if v != "/k" || line != 4 || !ok || err != nil {
		t.Errorf("Get = %q, %d, %v, %v", v, line, ok, err)
	}
}
