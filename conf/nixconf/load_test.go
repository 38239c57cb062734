package nixconf

import (
	"errors"
	"io/fs"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
)

func TestUserFiles(t *testing.T) {
	tests := []struct {
		vars map[string]string
		home string
		want string // files joined by " ", or the error
	}{
		{map[string]string{"HOME": "/h"}, "", "/h/.config/nix/nix.conf /etc/xdg/nix/nix.conf"},
		{map[string]string{}, "/pw", "/pw/.config/nix/nix.conf /etc/xdg/nix/nix.conf"},
		{map[string]string{"HOME": ""}, "/pw", "/.config/nix/nix.conf /etc/xdg/nix/nix.conf"},
		{map[string]string{}, "", "HOME: cannot determine user's home directory"},
		{map[string]string{"XDG_CONFIG_HOME": "/c/", "XDG_CONFIG_DIRS": ":/a::/b/:"}, "", "/c//nix/nix.conf /a/nix/nix.conf /b//nix/nix.conf"},
		{map[string]string{"XDG_CONFIG_HOME": "", "XDG_CONFIG_DIRS": ""}, "", "/nix/nix.conf"},
		{map[string]string{"NIX_USER_CONF_FILES": "", "HOME": "/h"}, "", ""},
		{map[string]string{"NIX_USER_CONF_FILES": "::a:/b::"}, "", "a /b"},
	}
	for _, tt := range tests {
		env := Env{Vars: tt.vars, Home: tt.home}
		files, err := env.userFiles()
		got := strings.Join(files, " ")
		if err != nil {
			got = err.Error()
		}
		if got != tt.want {
			t.Errorf("userFiles(%v, home %q) = %q, want %q", tt.vars, tt.home, got, tt.want)
		}
	}
}

func TestConfDir(t *testing.T) {
	tests := []struct {
		vars      map[string]string
		def, want string
	}{
		{nil, "", "/etc/nix"},
		{nil, "/opt/etc/nix/", "/opt/etc/nix"},
		{map[string]string{"NIX_CONF_DIR": "//x/./y/../z/"}, "", "/x/z"},
		{map[string]string{"NIX_CONF_DIR": "/"}, "", "/"},
		{map[string]string{"NIX_CONF_DIR": "rel"}, "", "NIX_CONF_DIR: not an absolute path: 'rel'"},
		{map[string]string{"NIX_CONF_DIR": ""}, "", "NIX_CONF_DIR: not an absolute path: ''"},
	}
	for _, tt := range tests {
		env := Env{Vars: tt.vars, DefaultConfDir: tt.def}
		got, err := env.confDir()
		if err != nil {
			got = err.Error()
		}
		if got != tt.want {
			t.Errorf("confDir(%v, %q) = %q, want %q", tt.vars, tt.def, got, tt.want)
		}
	}
}

// machine is a typical multi-user machine, with a key in every layer.
func machine() Env {
	return Env{
		Vars: map[string]string{"HOME": "/home/u", "NIX_CONFIG": "extra-trusted-public-keys = env-1:AAAA"},
		FS: fstest.MapFS{
			"etc/nix/nix.conf":             {Data: []byte("trusted-public-keys = sys-1:AAAA\n!include nix.local.conf\nrequire-sigs = true\n")},
			"etc/nix/nix.local.conf":       {Data: []byte("extra-trusted-public-keys = local-1:AAAA\n")},
			"etc/xdg/nix/nix.conf":         {Data: []byte("extra-trusted-public-keys = xdg-1:AAAA\n")},
			"home/u/.config/nix/nix.conf":  {Data: []byte("extra-trusted-public-keys = user-1:AAAA\nfoo = bar\n")},
			"home/u/.config/nix/unrelated": {Data: []byte("junk")},
		},
	}
}

func TestLoadLayers(t *testing.T) {
	cfg, err := Load(machine())
	if err != nil {
		t.Fatal(err)
	}
	v, _ := cfg.Get("trusted-public-keys")
	var got []string
	for _, it := range v.Items {
		got = append(got, it.Text+"@"+it.Origin.Layer.String()+":"+it.Origin.String())
	}
	want := []string{
		"sys-1:AAAA@system:/etc/nix/nix.conf:1",
		"local-1:AAAA@system:/etc/nix/nix.local.conf:1",
		"xdg-1:AAAA@user:/etc/xdg/nix/nix.conf:1",
		"user-1:AAAA@user:/home/u/.config/nix/nix.conf:1",
		"env-1:AAAA@NIX_CONFIG:NIX_CONFIG:1",
	}
	if !slices.Equal(got, want) {
		t.Errorf("trusted-public-keys items:\n%q\nwant\n%q", got, want)
	}
	if v.Origin.Layer != LayerEnv {
		t.Errorf("origin %v", v.Origin)
	}

	sys, err := LoadSystem(machine())
	if err != nil {
		t.Fatal(err)
	}
	v, _ = sys.Get("binary-cache-public-keys")
	if v.Text != "sys-1:AAAA local-1:AAAA" {
		t.Errorf("LoadSystem: trusted-public-keys = %q", v.Text)
	}
	if w := sys.Warnings(); len(w) != 0 {
		t.Errorf("LoadSystem warnings: %v", w)
	}
	var paths []string
	for _, f := range sys.Files() {
		paths = append(paths, f.Path)
	}
	if !slices.Equal(paths, []string{"/etc/nix/nix.conf", "/etc/nix/nix.local.conf"}) {
		t.Errorf("LoadSystem files: %q", paths)
	}
}

func TestLoadFiles(t *testing.T) {
	env := machine()
	delete(env.FS.(fstest.MapFS), "etc/xdg/nix/nix.conf")
	cfg, err := Load(env)
	if err != nil {
		t.Fatal(err)
	}
	files := cfg.Files()
	if len(files) != 5 {
		t.Fatalf("%d files", len(files))
	}
	if f := files[1]; f.Path != "/etc/nix/nix.local.conf" || f.From != (Origin{LayerSystem, "/etc/nix/nix.conf", 2}) {
		t.Errorf("include: %+v", f)
	}
	if f := files[2]; f.Path != "/etc/xdg/nix/nix.conf" || !errors.Is(f.Err, fs.ErrNotExist) || f.Lines != nil {
		t.Errorf("missing file: %+v", f)
	}
	if f := files[0]; len(f.Lines) != 3 || f.Lines[1].Kind != LineOptionalInclude || f.Lines[1].Value != "nix.local.conf" {
		t.Errorf("system file lines: %+v", f.Lines)
	}
}

func TestLoadIncludes(t *testing.T) {
	tests := []struct {
		files map[string]string
		want  string // trusted-users, or the error
	}{
		{map[string]string{"etc/nix/nix.conf": "trusted-users = a\ninclude x\ntrusted-users = c", "etc/nix/x": "trusted-users = b"}, "c"},
		{map[string]string{"etc/nix/nix.conf": "trusted-users = a\ninclude x", "etc/nix/x": "trusted-users = b"}, "b"},
		{map[string]string{"etc/nix/nix.conf": "include /x/y", "x/y": "trusted-users = b"}, "b"},
		{map[string]string{"etc/nix/nix.conf": "include ../../x/y", "x/y": "trusted-users = b"}, "b"},
		{map[string]string{"etc/nix/nix.conf": "include x"}, "/etc/nix/nix.conf:1: file '/etc/nix/x' not found"},
		{map[string]string{"etc/nix/nix.conf": "!include x\ntrusted-users = a"}, "a"},
		{map[string]string{"etc/nix/nix.conf": "include x", "etc/nix/x": "include nix.conf"},
			"/etc/nix/x:1: include cycle: /etc/nix/nix.conf -> /etc/nix/x -> /etc/nix/nix.conf"},
		{map[string]string{"etc/nix/nix.conf": "include x", "etc/nix/x": "bad"}, "/etc/nix/x:1: illegal configuration line 'bad'"},
		{map[string]string{"etc/nix/nix.conf": "include x", "etc/nix/x": "require-sigs = maybe"},
			"/etc/nix/x:1: Boolean setting 'require-sigs' has invalid value 'maybe'"},
		// The same text from two directories is no cycle; a chain of them ends.
		{map[string]string{"etc/nix/nix.conf": "!include d/nix.conf\ntrusted-users = top", "etc/nix/d/nix.conf": "!include d/nix.conf\ntrusted-users = top"}, "top"},
	}
	for _, tt := range tests {
		m := fstest.MapFS{}
		for name, data := range tt.files {
			m[name] = &fstest.MapFile{Data: []byte(data)}
		}
		cfg, err := Load(Env{Vars: map[string]string{"NIX_USER_CONF_FILES": ""}, FS: m})
		got := ""
		if err != nil {
			got = err.Error()
		} else {
			v, _ := cfg.Get("trusted-users")
			got = v.Text
		}
		if got != tt.want {
			t.Errorf("%v: got %q, want %q", tt.files, got, tt.want)
		}
	}
}

func TestIncludeDepthLimit(t *testing.T) {
	// A symbolic link to "." makes every level a new path: Nix would recurse
	// until it crashes. MapFS cannot hold such a link; distinct texts do the
	// same.
	m := fstest.MapFS{}
	p := "etc/nix/nix.conf"
	for i := 0; i <= maxIncludeDepth; i++ {
		m[p] = &fstest.MapFile{Data: []byte("# level " + strings.Repeat("x", i) + "\ninclude d/nix.conf\n")}
		p = p[:len(p)-len("nix.conf")] + "d/nix.conf"
	}
	_, err := Load(Env{Vars: map[string]string{"NIX_USER_CONF_FILES": ""}, FS: m})
	if err == nil || !strings.Contains(err.Error(), "nested too deeply") {
		t.Errorf("Load: %v", err)
	}
}

func TestDefaultPublicKeys(t *testing.T) {
	conf := "trusted-public-keys = a-1:AAA b-1:BBB a-1:CCC nocolon :empty nocolon\n" +
		"secret-key-files = /k1 /k2\n"
	cfg, err := loadText(t, conf)
	if err != nil {
		t.Fatal(err)
	}
	pk := cfg.DefaultPublicKeys()
	var keys, shadowed, files []string
	for _, k := range pk.Keys {
		keys = append(keys, k.Name+"="+k.Text)
	}
	for _, k := range pk.Shadowed {
		shadowed = append(shadowed, k.Name+"="+k.Text)
	}
	for _, f := range pk.SecretKeyFiles {
		files = append(files, f.Text+"@"+f.Origin.String())
	}
	if want := []string{"a-1=a-1:AAA", "b-1=b-1:BBB", "=nocolon", "=:empty", "=nocolon"}; !slices.Equal(keys, want) {
		t.Errorf("Keys = %q, want %q", keys, want)
	}
	if want := []string{"a-1=a-1:CCC"}; !slices.Equal(shadowed, want) {
		t.Errorf("Shadowed = %q, want %q", shadowed, want)
	}
	if want := []string{"/k1@/etc/nix/nix.conf:2", "/k2@/etc/nix/nix.conf:2"}; !slices.Equal(files, want) {
		t.Errorf("SecretKeyFiles = %q, want %q", files, want)
	}

	cfg, _ = loadText(t, "")
	pk = cfg.DefaultPublicKeys()
	if len(pk.Keys) != 1 || pk.Keys[0].Name != "cache.nixos.org-1" || pk.Keys[0].Origin.Layer != LayerDefault {
		t.Errorf("default keys: %+v", pk)
	}
}

func TestErrorString(t *testing.T) {
	for _, tt := range []struct {
		e    Error
		want string
	}{
		{Error{File: "/f", Line: 3, Msg: "m"}, "/f:3: m"},
		{Error{File: "NIX_CONF_DIR", Msg: "m"}, "NIX_CONF_DIR: m"},
		{Error{Msg: "m"}, "m"},
	} {
		if got := tt.e.Error(); got != tt.want {
			t.Errorf("%+v: %q, want %q", tt.e, got, tt.want)
		}
	}
}
