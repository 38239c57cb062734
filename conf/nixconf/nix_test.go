package nixconf

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os/exec"
	"regexp"
	"slices"
	"sort"
	"strings"
	"syscall"
	"testing"
)

// requireNix28 skips the test unless Nix 2.8.x is in PATH: the corpus pins
// 2.8.0's behaviour (later versions changed messages and settings).
func requireNix28(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("nix"); err != nil {
		t.Skip("nix not in PATH")
	}
	out, err := exec.Command("nix", "--version").Output()
	if err != nil || !bytes.Contains(out, []byte(" 2.8.")) {
		t.Skipf("differential tests need Nix 2.8.x, have %q", out)
	}
}

// nixResult is what `nix show-config --json` did.
type nixResult struct {
	settings map[string]json.RawMessage // "value" of each setting
	warnings []string
	err      string // the "error: " line, without that prefix
	signaled bool   // Nix crashed
	stderr   string
}

var ansi = regexp.MustCompile("\x1b\\[[0-9;]*m")

// runNix runs `nix show-config --json` (`nix config show --json` from 2.20 on)
// in the case's environment and nothing else. When Nix is expected to crash
// on endless recursion, it runs with a small stack, so that it crashes in a
// fraction of a second.
func runNix(t *testing.T, c *corpusCase, crash bool) nixResult {
	t.Helper()
	var r nixResult
	for _, cmdline := range [][]string{{"show-config"}, {"config", "show"}} {
		args := append([]string{"--extra-experimental-features", "nix-command"}, cmdline...)
		args = append([]string{"nix"}, append(args, "--json")...)
		if crash {
			args = append([]string{"/bin/sh", "-c", `ulimit -s 1024 && exec "$@"`, "sh"}, args...)
		}
		cmd := exec.Command(args[0], args[1:]...)
		cmd.Dir = c.work
		cmd.Env = []string{"PATH=/usr/bin:/bin:/usr/local/bin:/nix/var/nix/profiles/default/bin"}
		for k, v := range c.vars {
			cmd.Env = append(cmd.Env, k+"="+v)
		}
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		r = nixResult{stderr: ansi.ReplaceAllString(stderr.String(), "")}
		for _, line := range strings.Split(r.stderr, "\n") {
			if w, ok := strings.CutPrefix(line, "warning: "); ok {
				r.warnings = append(r.warnings, w)
			} else if e, ok := strings.CutPrefix(line, "error: "); ok && r.err == "" {
				r.err = e
			}
		}
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			if ws, ok := exit.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
				r.signaled = true
				return r
			}
			if strings.Contains(r.err, "not a recognised command") || strings.Contains(r.err, "unrecognised") {
				continue // try the other spelling
			}
			return r
		}
		if err != nil {
			t.Fatal(err)
		}
		var all map[string]struct{ Value json.RawMessage }
		if err := json.Unmarshal(stdout.Bytes(), &all); err != nil {
			t.Fatalf("nix output: %v", err)
		}
		r.settings = make(map[string]json.RawMessage, len(all))
		for k, v := range all {
			r.settings[k] = v.Value
		}
		return r
	}
	return r
}

// nixText turns a JSON value from `nix show-config --json` into the text
// form that Value.Text uses.
func nixText(name string, raw json.RawMessage) string {
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return "<" + err.Error() + ">"
	}
	switch v := v.(type) {
	case bool:
		return fmt.Sprint(v)
	case json.Number:
		return v.String()
	case string:
		return v
	case []any:
		var s []string
		for _, e := range v {
			if n, ok := e.(json.Number); ok && name == "experimental-features" {
				i, _ := n.Int64()
				s = append(s, experimentalFeatures[i])
				continue
			}
			s = append(s, fmt.Sprint(e))
		}
		if name == "experimental-features" {
			sort.Strings(s)
		}
		return strings.Join(s, " ")
	case map[string]any:
		var s []string
		for k, e := range v {
			s = append(s, k+"="+fmt.Sprint(e))
		}
		slices.SortFunc(s, func(a, b string) int {
			ka, _, _ := strings.Cut(a, "=")
			kb, _, _ := strings.Cut(b, "=")
			return strings.Compare(ka, kb)
		})
		return strings.Join(s, " ")
	}
	return fmt.Sprintf("<%T>", v)
}

// TestCorpusAgainstNix loads every corpus case with this package and with
// real Nix 2.8.0 and compares every setting, the warnings and the errors.
func TestCorpusAgainstNix(t *testing.T) {
	requireNix28(t)
	for _, c := range loadCorpus(t) {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			cfg, err := Load(c.setup(t))
			e, _ := err.(*Error)
			r := runNix(t, c, e != nil && e.Nix == "")
			compareWithNix(t, cfg, err, r)
		})
	}
}

func compareWithNix(t *testing.T, cfg *Config, err error, r nixResult) {
	t.Helper()
	if err != nil {
		var e *Error
		if !errors.As(err, &e) {
			t.Fatalf("Load: %v is not an *Error", err)
		}
		switch {
		case r.settings != nil:
			t.Fatalf("Load: %v; Nix accepts the configuration", err)
		case e.Nix == "" && !r.signaled:
			t.Fatalf("Load: %v (a crash in Nix); Nix: %s", err, r.stderr)
		case e.Nix != "" && r.signaled:
			if !strings.Contains(r.stderr, e.Nix) {
				t.Fatalf("Load: %v; Nix crashed with: %s", err, r.stderr)
			}
		case e.Nix != "" && r.err != e.Nix:
			t.Fatalf("Load: error %q (Nix: %q); Nix says %q", err, e.Nix, r.err)
		}
		return
	}
	if r.settings == nil {
		t.Fatalf("Load succeeded; Nix: %s", r.stderr)
	}
	for name, raw := range r.settings {
		s, ok := settings[name]
		if !ok || s.name != name {
			t.Errorf("Nix has setting %q; the table does not", name)
			continue
		}
		v, _ := cfg.Get(name)
		want := nixText(name, raw)
		got := v.Text
		switch {
		case name == "pure-eval":
			continue // the nix command sets it after reading the configuration
		case name == "experimental-features":
			got = joinFeatures(v.Items, "nix-command") // from the command line
		case s.varies && v.Origin.Layer == LayerDefault:
			continue
		}
		if got != want {
			t.Errorf("%s = %q (%v); Nix has %q", name, got, v.Origin, want)
		}
	}
	for name, s := range settings {
		if s.name == name && s.goos == "" && r.settings[name] == nil {
			t.Errorf("table has setting %q; Nix does not", name)
		}
	}
	var warnings []string
	for _, w := range cfg.Warnings() {
		warnings = append(warnings, w.Msg)
	}
	if !slices.Equal(warnings, r.warnings) {
		t.Errorf("warnings %q; Nix warns %q", warnings, r.warnings)
	}
}

func joinFeatures(items []Item, extra string) string {
	var s []string
	for _, it := range items {
		s = append(s, it.Text)
	}
	if !slices.Contains(s, extra) {
		s = append(s, extra)
	}
	sort.Strings(s)
	return strings.Join(s, " ")
}

// TestSettingTable checks the generated table's names and aliases against
// real Nix (defaults and types are checked by the corpus).
func TestSettingTable(t *testing.T) {
	requireNix28(t)
	dir := t.TempDir()
	cmd := exec.Command("nix", "--extra-experimental-features", "nix-command", "show-config", "--json")
	cmd.Env = []string{"PATH=/usr/bin:/bin:/usr/local/bin", "HOME=" + dir, "NIX_CONF_DIR=" + dir, "NIX_USER_CONF_FILES="}
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	var all map[string]struct{ Aliases []string }
	if err := json.Unmarshal(out, &all); err != nil {
		t.Fatal(err)
	}
	for name, s := range all {
		sort.Strings(s.Aliases)
		for _, a := range append(s.Aliases, name) {
			if got, ok := Canonical(a); !ok || got != name {
				t.Errorf("Canonical(%q) = %q, %v; Nix: %q", a, got, ok, name)
			}
		}
		if ts := settings[name]; ts != nil && !slices.Equal(ts.aliases, s.Aliases) && !(len(ts.aliases) == 0 && len(s.Aliases) == 0) {
			t.Errorf("%s: aliases %q; Nix: %q", name, ts.aliases, s.Aliases)
		}
	}
}
