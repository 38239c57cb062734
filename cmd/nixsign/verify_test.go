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
		// A malformed signature by the trusted key, sorted after the good
		// one: the good one counts (as with Nix 2.8.0).
		"badafter": append(slices.Clip(ni), "Sig: test-key-1:~\n"...),
		// A content address that does not give back the path: its
		// signatures count.
		"falseca": append(slices.Clip(ni), "CA: fixed:r:sha256:00zns3gj9hwz2a4b0i07y7nmxybq59lh24bl3xsxblcl6333mjil\n"...),
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
		not  []string // regexps matching no line of stderr
	}{
		{"own signatures only", []string{"-n", "1"}, 2, []string{`is untrusted: 0 valid signatures, 1 needed; it has no signatures$`}, nil},
		{"cache", []string{"-n", "1", "-s", u("cache")}, 0, nil, []string{`.`}},
		{"empty, then cache, both forms", []string{"-n", "1", "-v", "-s", u("empty"), "--substituter", u("cache")}, 0,
			[]string{`info: substituter: using file://\S+/empty$`, `info: substituter: using file://\S+/cache$`, `it comes from file://\S+/cache$`}, nil},
		{"two needed", []string{"-n", "2", "-s", u("cache"), "-s", u("cache")}, 2, []string{`1 valid signature, 2 needed \(by "test-key-1"\); it comes from file://\S+/cache; asked 2 other stores too$`}, nil},
		{"missing directory", []string{"-n", "1", "-s", u("gone"), "-s", u("cache")}, 0, []string{`warning: substituter file://\S+/gone: no such directory, so it holds no path \(Nix would create it empty\)$`}, nil},
		{"unknown store", []string{"-n", "1", "-s", "foo://bar"}, 64, []string{`^nixsign: error: verify: --substituter: unknown store "foo://bar"`}, nil},
		{"relative cache", []string{"-n", "1", "-s", "file://rel"}, 64, []string{`error: verify: --substituter: binary cache "file://rel": the directory must be absolute`}, nil},
		{"not a directory", []string{"-n", "1", "-s", u("afile")}, 69, []string{`^nixsign: error: verify: --substituter file://\S+/afile: \S+/afile is not a directory$`}, nil},
		{"malformed after the valid one", []string{"-n", "1", "-s", u("badafter")}, 0,
			[]string{`^nixsign: warning: path '\S+-sigtest-a-dev': file://\S+/badafter: signature "test-key-1:~" is not valid: .*; the signatures sorted after it there are not counted$`},
			[]string{`its signatures there are not counted`, `untrusted`}},
		{"false content-address claim", []string{"-n", "1", "-s", u("falseca")}, 0,
			[]string{`^nixsign: warning: file://\S+/falseca: path '/nix/store/l5jifip347hnkb691a1ks3v6ig2vm67z-sigtest-a-dev' claims to be content-addressed but isn't$`},
			[]string{`not counted`, `sigtest-a-dev'.*sigtest-a-dev'`}},
		{"files store", []string{"-n", "1", "-s", "files"}, 64,
			[]string{`^nixsign: error: verify: --substituter: "files" holds no signatures \(it reads the store's files and would re-hash every path\)`}, nil},
		{"files store with parameters", []string{"-n", "1", "-s", "files?root=" + dir}, 64, []string{`^nixsign: error: verify: --substituter: "files\?root=\S+" holds no signatures`}, nil},
		{"parameters of Nix's substituters setting", []string{"-n", "1", "-v", "-s", u("cache") + "?trusted=1&priority=10&want-mass-query=true"}, 0,
			[]string{`info: substituter: using file://\S+/cache$`, `it comes from file://\S+/cache$`}, []string{`\?`}},
		{"another parameter", []string{"-n", "1", "-s", u("cache") + "?trusted=1&compression=xz"}, 64,
			[]string{`^nixsign: error: verify: --substituter: "file://\S+/cache\?trusted=1&compression=xz": parameter "compression" is not supported: -s drops trusted, priority and want-mass-query, and takes no other but an ssh-ng store's`}, nil},
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
			for _, w := range tt.not {
				if re := regexp.MustCompile(w); slices.ContainsFunc(lines, re.MatchString) {
					t.Errorf("a line of stderr matches %q:\n%s", w, stderr.String())
				}
			}
			if tt.code == 64 && len(lines) != 1 {
				t.Errorf("a usage error in %d lines:\n%s", len(lines), stderr.String())
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

// TestSubstituterSpec: -s drops the parameters of Nix's substituters
// setting that do not change which signatures a store holds, keeps an
// ssh-ng store's own, and refuses the files store and other parameters.
func TestSubstituterSpec(t *testing.T) {
	for _, tt := range []struct{ given, want, err string }{
		{"file:///c", "file:///c", ""},
		{"file:///c?trusted=1", "file:///c", ""},
		{"file:///c?priority=30&want-mass-query=true&trusted=true", "file:///c", ""},
		{"file:///c?", "file:///c", ""},
		{"daemon?trusted=1", "daemon", ""},
		{"unix:///run/nix.sock?priority=10", "unix:///run/nix.sock", ""},
		{"ssh-ng://builder?trusted=1&ssh-key=/k&priority=5", "ssh-ng://builder?ssh-key=/k", ""},
		{"ssh-ng://builder?compress=true", "ssh-ng://builder?compress=true", ""},
		{"file:///c?compression=xz", "", `"file:///c?compression=xz": parameter "compression" is not supported`},
		{"file:///c?trusted=1&secret-key=/k", "", `parameter "secret-key" is not supported`},
		{"local?root=/r", "", `parameter "root" is not supported`},
		{"files", "", `"files" holds no signatures`},
		{"files?real=/r", "", `"files?real=/r" holds no signatures`},
	} {
		got, err := substituterSpec(tt.given)
		if got != tt.want || (err == nil) != (tt.err == "") || err != nil && !strings.Contains(err.Error(), tt.err) {
			t.Errorf("substituterSpec(%q) = %q, %v; want %q, %q", tt.given, got, err, tt.want, tt.err)
		}
	}
}
