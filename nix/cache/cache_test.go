package cache

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestOpenURL(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		url, err string
	}{
		{"file://" + dir, ""},
		{"file://" + dir + "/", ""},
		{"file://" + dir + "/./", ""},
		{dir, "a plain path is a local store to Nix"},
		{"file://rel/dir", "must be absolute"},
		{"file://", "must be absolute"},
		{"file://" + dir + "?compression=zstd", "URL parameters are not supported"},
		{"s3://bucket", "want a URL of the form file:///DIR"},
		{"https://cache.nixos.org", "want a URL of the form file:///DIR"},
		{"daemon", "want a URL of the form file:///DIR"},
	} {
		c, err := Open(tc.url, "/nix/store", false)
		if tc.err == "" {
			if err != nil {
				t.Errorf("Open(%q): %v", tc.url, err)
			} else if c.String() != "file://"+dir || c.Dir() != "/nix/store" {
				t.Errorf("Open(%q) = %s for %s", tc.url, c, c.Dir())
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tc.err) {
			t.Errorf("Open(%q) error = %v, want %q", tc.url, err, tc.err)
		}
	}
}

func TestOpenCreate(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "new", "cache")
	c, err := Open("file://"+dir, "/nix/store", true)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"./", "log/", "nar/", "nix-cache-info 21", "realisations/"}
	if got := listing(t, dir); !slices.Equal(got, want) {
		t.Errorf("created %q, want %q (as nix copy)", got, want)
	}
	got, _ := os.ReadFile(filepath.Join(dir, "nix-cache-info"))
	if want := readVector(t, "nix-cache-info"); string(got) != string(want) {
		t.Errorf("nix-cache-info = %q, want %q", got, want)
	}
	fi, _ := os.Stat(filepath.Join(dir, "nix-cache-info"))
	if umask := 0o022; fi.Mode().Perm()&^fs.FileMode(0o666&^umask) != 0 || fi.Mode().Perm()&0o444 != 0o444 {
		t.Errorf("nix-cache-info mode %v, want readable by all (0666 less the umask, as Nix)", fi.Mode())
	}
	// Opening again keeps the file and checks it.
	if _, err := Open(c.String(), "/nix/store", true); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(c.String(), "/other/store", false); err == nil ||
		err.Error() != "binary cache 'file://"+dir+"' is for Nix stores with prefix '/nix/store', not '/other/store' ("+dir+"/nix-cache-info)" {
		t.Errorf("store dir mismatch: %v", err)
	}
}

func TestOpenCacheInfo(t *testing.T) {
	for _, tc := range []struct {
		name, info, err string
	}{
		{"nix", "StoreDir: /nix/store\n", ""},
		{"extra keys", "StoreDir: /nix/store\nWantMassQuery: 1\nPriority: 40\n", ""},
		{"no store dir", "WantMassQuery: 1\n", ""},
		{"empty", "", ""},
		{"spaces", "StoreDir:   /nix/store  \r\n", ""},
		{"other", "StoreDir: /gnu/store\n", "is for Nix stores with prefix '/gnu/store', not '/nix/store'"},
		{"bad priority", "StoreDir: /nix/store\nPriority: high\n", "nix-cache-info:2: Priority"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			os.WriteFile(filepath.Join(dir, "nix-cache-info"), []byte(tc.info), 0o644)
			for _, create := range []bool{false, true} {
				_, err := Open("file://"+dir, "/nix/store", create)
				if tc.err == "" && err != nil || tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)) {
					t.Errorf("create=%v: error %v, want %q", create, err, tc.err)
				}
			}
			if got, _ := os.ReadFile(filepath.Join(dir, "nix-cache-info")); string(got) != tc.info {
				t.Errorf("nix-cache-info rewritten to %q", got)
			}
		})
	}
}

func TestOpenMissing(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "none")
	_, err := Open("file://"+dir, "/nix/store", false)
	if !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), dir) {
		t.Errorf("missing dir: %v", err)
	}
	if _, err := os.Stat(dir); err == nil {
		t.Error("Open without create made the directory")
	}
	file := filepath.Join(t.TempDir(), "file")
	os.WriteFile(file, nil, 0o644)
	if _, err := Open("file://"+file, "/nix/store", false); err == nil || !strings.Contains(err.Error(), "not a directory") {
		t.Errorf("file: %v", err)
	}
	if _, err := Open("file://"+file, "/nix/store", true); err == nil || !strings.Contains(err.Error(), file) {
		t.Errorf("create under a file: %v", err)
	}
	if _, err := Open("file://"+dir, "nix/store", true); err == nil || !strings.Contains(err.Error(), "store dir") {
		t.Errorf("relative store dir: %v", err)
	}
}

func TestLookups(t *testing.T) {
	c := newCache(t)
	ni := vectorNarInfo(t, "z45ailnkm27lnvhimqkhy08f6sh5m17d.narinfo")
	if err := c.Add(ctx, entryOf(ni), strings.NewReader(string(readVector(t, helloNAR))), None); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		path   string
		has    bool
		hasErr bool
		err    string
	}{
		{helloPath, true, false, ""},
		// Nix's isValidPath looks at the hash part only; queryPathInfo
		// also wants the name.
		{"/nix/store/z45ailnkm27lnvhimqkhy08f6sh5m17d-other", true, false, "is not valid in binary cache"},
		{"/nix/store/00000000000000000000000000000000-hello.txt", false, false, "is not valid in binary cache"},
		{"/other/store/z45ailnkm27lnvhimqkhy08f6sh5m17d-hello.txt", false, true, "/other/store/"},
		{"z45ailnkm27lnvhimqkhy08f6sh5m17d-hello.txt", false, true, "z45ailnkm27lnvhimqkhy08f6sh5m17d-hello.txt"},
	} {
		has, herr := c.Has(ctx, tc.path)
		if has != tc.has || (herr != nil) != tc.hasErr {
			t.Errorf("Has(%s) = %v, %v", tc.path, has, herr)
		}
		pi, err := c.PathInfo(ctx, tc.path)
		if tc.err == "" {
			if err != nil {
				t.Errorf("PathInfo(%s): %v", tc.path, err)
				continue
			}
			if pi.Path.Abs("/nix/store") != helloPath || pi.NarSize != 128 || pi.CA.Method != "fixed:r" ||
				len(pi.Sigs) != 1 || len(pi.References) != 0 || pi.Ultimate {
				t.Errorf("PathInfo = %+v", pi)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tc.err) {
			t.Errorf("PathInfo(%s) error = %v, want %q", tc.path, err, tc.err)
		}
		var nv *NotValidError
		if strings.Contains(tc.err, "not valid") && !errors.As(err, &nv) {
			t.Errorf("PathInfo(%s) error %T, want *NotValidError", tc.path, err)
		}
	}
}

func TestCorruptNarInfo(t *testing.T) {
	c := newCache(t)
	name := filepath.Join(c.dir, "z45ailnkm27lnvhimqkhy08f6sh5m17d.narinfo")
	good := string(readVector(t, "z45ailnkm27lnvhimqkhy08f6sh5m17d.narinfo"))
	for _, tc := range []struct{ data, err string }{
		{strings.Replace(good, "NarSize: 128", "NarSize: x", 1), "NAR info file '" + name + "' is corrupt: line 7: invalid NarSize"},
		{strings.TrimSuffix(good, "\n"), "line 10: expecting '\\n'"},
		{strings.Replace(good, "StorePath: ", "StorePath ", 1), "StorePath missing"},
		{strings.Replace(good, "NarHash: sha256:", "NarHash: sha257:", 1), "line 6: NarHash"},
		{"", "StorePath missing"},
	} {
		os.WriteFile(name, []byte(tc.data), 0o644)
		_, err := c.PathInfo(ctx, helloPath)
		if err == nil || !strings.Contains(err.Error(), tc.err) || strings.Contains(err.Error(), "\n") {
			t.Errorf("error %v, want %q", err, tc.err)
		}
		paths, err := c.Paths(ctx)
		if len(paths) != 0 || err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("Paths = %q, %v", paths, err)
		}
	}
}

func TestPaths(t *testing.T) {
	c := newCache(t)
	addVectors(t, c, None)
	os.WriteFile(filepath.Join(c.dir, "README.narinfo"), []byte("junk"), 0o644)
	os.WriteFile(filepath.Join(c.dir, ".x.narinfo.123.tmp"), []byte("junk"), 0o644)
	paths, err := c.Paths(ctx)
	want := []string{
		"/nix/store/hgl6cwhlhzpznapan2nfnls2nyyv4lqb-run.sh",
		"/nix/store/l5jifip347hnkb691a1ks3v6ig2vm67z-sigtest-a-dev",
		"/nix/store/qyg4k09x25qhai8v5zk0idkmv8mq4wwl-sigtest-a",
		"/nix/store/z45ailnkm27lnvhimqkhy08f6sh5m17d-hello.txt",
	}
	if err != nil || !slices.Equal(paths, want) {
		t.Errorf("Paths = %q, %v", paths, err)
	}
	// A narinfo under another path's hash part is left out, with an error.
	data, _ := os.ReadFile(filepath.Join(c.dir, "z45ailnkm27lnvhimqkhy08f6sh5m17d.narinfo"))
	os.WriteFile(filepath.Join(c.dir, "00000000000000000000000000000000.narinfo"), data, 0o644)
	paths, err = c.Paths(ctx)
	if !slices.Equal(paths, want) || err == nil || !strings.Contains(err.Error(), "00000000000000000000000000000000.narinfo") {
		t.Errorf("Paths = %q, %v", paths, err)
	}
}

func TestAddSignatures(t *testing.T) {
	c := newCache(t)
	addVectors(t, c, None)
	path := "/nix/store/qyg4k09x25qhai8v5zk0idkmv8mq4wwl-sigtest-a"
	name := filepath.Join(c.dir, "qyg4k09x25qhai8v5zk0idkmv8mq4wwl.narinfo")
	two := string(readVector(t, "two-sigs.narinfo"))
	lines := strings.SplitAfter(two, "\n")
	sigA, sigB := strings.TrimPrefix(strings.TrimSpace(lines[9]), "Sig: "), strings.TrimPrefix(strings.TrimSpace(lines[10]), "Sig: ")

	// Start from one signature.
	os.WriteFile(name, []byte(strings.Replace(two, lines[9], "", 1)), 0o644)
	fi0, _ := os.Stat(name)
	if err := c.AddSignatures(ctx, path, []string{sigB}); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(name); !os.SameFile(fi, fi0) {
		t.Error("AddSignatures rewrote the narinfo with nothing new")
	}
	if err := c.AddSignatures(ctx, path, []string{sigA, sigB, sigA}); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(name); string(got) != two {
		t.Errorf("after AddSignatures:\n%s\nwant (Nix's two-sigs.narinfo)\n%s", got, two)
	}
	for _, bad := range []string{"", "k:a\nStorePath: /nix/store/x", "k:\r"} {
		if err := c.AddSignatures(ctx, path, []string{bad}); err == nil {
			t.Errorf("AddSignatures(%q) succeeded", bad)
		}
	}
	var nv *NotValidError
	if err := c.AddSignatures(ctx, "/nix/store/00000000000000000000000000000000-x", []string{sigA}); !errors.As(err, &nv) {
		t.Errorf("AddSignatures of a missing path: %v", err)
	}
	if got, _ := os.ReadFile(name); string(got) != two {
		t.Errorf("narinfo changed by failed calls:\n%s", got)
	}
	noTemp(t, c)
}
