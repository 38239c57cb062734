package nixconf

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the want sections of testdata/corpus")

// A corpus case is a txtar archive (testdata/corpus/*.txtar):
//
//   - the comment says what the case shows;
//   - "env" holds KEY=VALUE lines (or -KEY to unset) on top of the
//     defaults NIX_CONF_DIR=$WORK/etc, HOME=$WORK/home,
//     XDG_CONFIG_DIRS=$WORK/xdg;
//   - "NIX_CONFIG", when present, is the value of NIX_CONFIG;
//   - "fs" holds "symlink NAME TARGET" and "mkdir NAME" lines;
//   - "want" is the golden dump of what Load returns (-update rewrites it);
//   - every other section is a file under $WORK.
//
// $WORK in any section is the case's temporary directory; Load and Nix run
// with their working directory there.
type corpusCase struct {
	name    string
	file    string
	archive *archive
	work    string
	vars    map[string]string
	want    string
}

func loadCorpus(t *testing.T) []*corpusCase {
	t.Helper()
	paths, err := filepath.Glob("testdata/corpus/*.txtar")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no corpus: %v", err)
	}
	var cases []*corpusCase
	for _, p := range paths {
		a, err := readArchive(p)
		if err != nil {
			t.Fatal(err)
		}
		cases = append(cases, &corpusCase{
			name:    strings.TrimSuffix(filepath.Base(p), ".txtar"),
			file:    p,
			archive: a,
		})
	}
	return cases
}

// setup writes the case's files into a new temporary directory and returns
// the environment.
func (c *corpusCase) setup(t *testing.T) Env {
	t.Helper()
	c.work = t.TempDir()
	expand := func(s string) string { return strings.ReplaceAll(s, "$WORK", c.work) }
	c.vars = map[string]string{
		"NIX_CONF_DIR":    c.work + "/etc",
		"HOME":            c.work + "/home",
		"XDG_CONFIG_DIRS": c.work + "/xdg",
	}
	for _, f := range c.archive.files {
		data := expand(f.data)
		switch f.name {
		case "want":
			c.want = f.data
		case "NIX_CONFIG":
			c.vars["NIX_CONFIG"] = data
		case "env":
			for _, line := range strings.Split(strings.TrimSpace(data), "\n") {
				if k, ok := strings.CutPrefix(line, "-"); ok {
					delete(c.vars, k)
				} else if k, v, ok := strings.Cut(line, "="); ok {
					c.vars[k] = v
				} else if line != "" {
					t.Fatalf("%s: bad env line %q", c.file, line)
				}
			}
		case "fs":
			for _, line := range strings.Split(strings.TrimSpace(data), "\n") {
				w := strings.Fields(line)
				switch {
				case len(w) == 3 && w[0] == "symlink":
					mkdirAll(t, filepath.Dir(filepath.Join(c.work, w[1])))
					if err := os.Symlink(w[2], filepath.Join(c.work, w[1])); err != nil {
						t.Fatal(err)
					}
				case len(w) == 2 && w[0] == "mkdir":
					mkdirAll(t, filepath.Join(c.work, w[1]))
				default:
					t.Fatalf("%s: bad fs line %q", c.file, line)
				}
			}
		default:
			p := filepath.Join(c.work, f.name)
			mkdirAll(t, filepath.Dir(p))
			if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	return Env{Vars: c.vars, Dir: c.work}
}

func mkdirAll(t *testing.T, dir string) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
}

// trustSettings are always shown in a dump, set or not.
var trustSettings = []string{
	"trusted-public-keys", "substituters", "trusted-substituters",
	"require-sigs", "trusted-users", "secret-key-files",
}

// dump describes the result of Load for the golden files.
func dump(cfg *Config, err error) string {
	var b strings.Builder
	if err != nil {
		fmt.Fprintf(&b, "error: %v\n", err)
		if e, ok := err.(*Error); ok {
			fmt.Fprintf(&b, "nix: %s\n", e.Nix)
		}
		return b.String()
	}
	names := slices.Clone(trustSettings)
	var others []string
	for s := range cfg.values {
		if !slices.Contains(names, s.name) {
			others = append(others, s.name)
		}
	}
	slices.Sort(others)
	for _, name := range append(names, others...) {
		v, _ := cfg.Get(name)
		if v.Items == nil {
			fmt.Fprintf(&b, "%s = %s  %s\n", name, v.Text, describe(v.Origin))
			continue
		}
		fmt.Fprintf(&b, "%s = %s\n", name, v.Text)
		for _, it := range v.Items {
			fmt.Fprintf(&b, "\t%s  %s\n", it.Text, describe(it.Origin))
		}
	}
	for _, w := range cfg.Warnings() {
		fmt.Fprintf(&b, "warning: %v\n", w)
	}
	for _, f := range cfg.Files() {
		fmt.Fprintf(&b, "file: %v %s", f.Layer, f.Path)
		if f.From != (Origin{}) {
			fmt.Fprintf(&b, " from %v", f.From)
		}
		if f.Err != nil {
			fmt.Fprintf(&b, ": %v", f.Err)
		}
		b.WriteString("\n")
	}
	return b.String()
}

func describe(o Origin) string {
	if o.Layer == LayerDefault {
		return "(default)"
	}
	return "(" + o.Layer.String() + " " + o.String() + ")"
}

func TestCorpus(t *testing.T) {
	for _, c := range loadCorpus(t) {
		t.Run(c.name, func(t *testing.T) {
			env := c.setup(t)
			cfg, err := Load(env)
			got := strings.ReplaceAll(dump(cfg, err), c.work, "$WORK")
			if *update {
				c.writeWant(t, got)
				return
			}
			if got != c.want {
				t.Errorf("%s: Load:\n%s\nwant:\n%s", c.file, got, c.want)
			}
		})
	}
}

func (c *corpusCase) writeWant(t *testing.T, want string) {
	t.Helper()
	a := &archive{comment: c.archive.comment}
	for _, f := range c.archive.files {
		if f.name != "want" {
			a.files = append(a.files, f)
		}
	}
	a.files = append(a.files, archiveFile{name: "want", data: want})
	if err := os.WriteFile(c.file, a.format(), 0o644); err != nil {
		t.Fatal(err)
	}
}
