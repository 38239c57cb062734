package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestVerifySubstituterFlag runs verify -s on binary caches made from the
// test vectors, without Nix: the path's narinfo without its signature is
// the store verified, the narinfo as Nix wrote it a substituter.
func TestVerifySubstituterFlag(t *testing.T) {
	vec := "../../testdata/vectors/"
	ni, err := os.ReadFile(vec + "l5jifip347hnkb691a1ks3v6ig2vm67z.narinfo")
	if err != nil {
		t.Fatal(err)
	}
	key, err := os.ReadFile(vec + "public.key")
	if err != nil {
		t.Fatal(err)
	}
	const path = "/nix/store/l5jifip347hnkb691a1ks3v6ig2vm67z-sigtest-a-dev"
	dir := t.TempDir()
	for name, text := range map[string][]byte{
		"here":  regexp.MustCompile(`(?m)^Sig: .*\n`).ReplaceAll(ni, nil),
		"cache": ni,
		"empty": nil,
	} {
		if err := os.MkdirAll(filepath.Join(dir, name), 0o755); err != nil {
			t.Fatal(err)
		}
		if text != nil {
			if err := os.WriteFile(filepath.Join(dir, name, "l5jifip347hnkb691a1ks3v6ig2vm67z.narinfo"), text, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	os.WriteFile(filepath.Join(dir, "afile"), nil, 0o644)
	for _, k := range []string{"NIX_CONF_DIR", "XDG_CONFIG_HOME", "XDG_CONFIG_DIRS", "HOME"} {
		t.Setenv(k, dir)
	}
	t.Setenv("NIX_USER_CONF_FILES", filepath.Join(dir, "none.conf"))
	t.Setenv("NIX_CONFIG", "")
	u := func(name string) string { return "file://" + filepath.Join(dir, name) }

	for _, tt := range []struct {
		name string
		args []string
		code int
		want []string // regexps, each matching a line of stderr
	}{
		{"own signatures only", []string{"-n", "1"}, 2, []string{`is untrusted: 0 valid signatures, 1 needed; it has no signatures$`}},
		{"cache", []string{"-n", "1", "-s", u("cache")}, 0, nil},
		{"empty, then cache, both forms", []string{"-n", "1", "-v", "-s", u("empty"), "--substituter", u("cache")}, 0,
			[]string{`info: substituter: using file://\S+/empty$`, `info: substituter: using file://\S+/cache$`, `it comes from file://\S+/cache$`}},
		{"two needed", []string{"-n", "2", "-s", u("cache"), "-s", u("cache")}, 2, []string{`1 valid signature, 2 needed \(by "test-key-1"\); it comes from file://\S+/cache; asked 2 other stores too$`}},
		{"missing directory", []string{"-n", "1", "-s", u("gone"), "-s", u("cache")}, 0, []string{`warning: substituter file://\S+/gone: no such directory, so it holds no path \(Nix would create it empty\)$`}},
		{"unknown store", []string{"-n", "1", "-s", "foo://bar"}, 64, []string{`^nixsign: error: verify: --substituter: unknown store "foo://bar"`}},
		{"relative cache", []string{"-n", "1", "-s", "file://rel"}, 64, []string{`error: verify: --substituter: binary cache "file://rel": the directory must be absolute`}},
		{"not a directory", []string{"-n", "1", "-s", u("afile")}, 69, []string{`^nixsign: error: binary cache file://\S+/afile: \S+/afile is not a directory$`}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"nixsign", "verify", "--store", u("here"), "--no-contents", "--trusted-public-keys", string(key)}, tt.args...)
			var stdout, stderr bytes.Buffer
			code := run(append(args, path), &stdout, &stderr)
			lines := strings.Split(strings.TrimSuffix(stderr.String(), "\n"), "\n")
			if stderr.Len() == 0 {
				lines = nil
			}
			if code != tt.code || len(lines) < len(tt.want) {
				t.Fatalf("exit code %d, stderr:\n%s\nwant %d and %d lines", code, stderr.String(), tt.code, len(tt.want))
			}
			for _, w := range tt.want {
				re := regexp.MustCompile(w)
				if !slices.ContainsFunc(lines, re.MatchString) {
					t.Errorf("no line of stderr matches %q:\n%s", w, stderr.String())
				}
			}
			// Each -s is one store, opened once (urfave/cli would copy a
			// value given under one name of a flag to its other names).
			if n := strings.Count(stderr.String(), "substituter: using"); strings.Contains(tt.name, "both forms") && n != 2 {
				t.Errorf("%d stores opened:\n%s", n, stderr.String())
			}
		})
	}
	if _, err := os.Stat(filepath.Join(dir, "gone")); err == nil {
		t.Error("a missing substituter directory was created")
	}
}
