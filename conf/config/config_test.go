package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	src := `# nixsign
key_file = "/var/lib/nixsign/signing.sec"
store = "file:///srv/cache"   # a cache
recursive = true

push_to = 'file:///srv/out'
on_error = "warn"
log_file = "/var/log/nixsign.log"
`
	c, err := Parse("/etc/nixsign/config.toml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	want := Config{KeyFile: "/var/lib/nixsign/signing.sec", Store: "file:///srv/cache", Recursive: true,
		PushTo: "file:///srv/out", OnError: "warn", LogFile: "/var/log/nixsign.log"}
	if c.KeyFile != want.KeyFile || c.Store != want.Store || c.Recursive != want.Recursive ||
		c.PushTo != want.PushTo || c.OnError != want.OnError || c.LogFile != want.LogFile {
		t.Errorf("got %+v", c)
	}
	for key, line := range map[string]int{KeyFile: 2, Store: 3, Recursive: 4, PushTo: 6, OnError: 7, LogFile: 8} {
		s, ok := c.Source(key)
		if !ok || s.Line != line || s.File != "/etc/nixsign/config.toml" {
			t.Errorf("Source(%s) = %v, %v; want line %d", key, s, ok, line)
		}
	}
	s, _ := c.Source(KeyFile)
	if got := s.String(); got != "key_file in /etc/nixsign/config.toml:2" {
		t.Errorf("String = %q", got)
	}
	if got := s.Errorf("mode 0644 is wider than 0600").Error(); got != "/etc/nixsign/config.toml:2: key_file: mode 0644 is wider than 0600" {
		t.Errorf("Errorf = %q", got)
	}
}

func TestDefaults(t *testing.T) {
	c, err := Parse("c.toml", nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Store != "auto" || c.OnError != OnErrorFail || c.KeyFile != "" || c.Recursive {
		t.Errorf("defaults: %+v", c)
	}
	if _, ok := c.Source(Store); ok {
		t.Error("default store has a source")
	}
}

func TestParseErrors(t *testing.T) {
	for _, tt := range []struct{ src, want string }{
		{"key_file = \"k.sec\"\n", `c.toml:1: key_file: relative path "k.sec": the hook runs in whatever directory Nix starts it in; use an absolute path such as /path/to/k.sec`},
		{"\nlog_file = \"~/log\"\n", `c.toml:2: log_file: path "~/log" starts with ~: nixsign does not expand it (the hook runs without a shell); write the home directory out in full`},
		{"key_file = \"\"\n", `c.toml:1: key_file: empty path`},
		{"recursive = \"yes\"\n", `c.toml:1: recursive: want a boolean, got string`},
		{"key_file = 3\n", `c.toml:1: key_file: want a string, got integer`},
		{"on_error = \"ignore\"\n", `c.toml:1: on_error: "ignore": want "fail" or "warn"`},
		{"store = \"s3://x\"\n", `c.toml:1: store: unknown store "s3://x": want auto, daemon, local, files or file:///DIR`},
		{"store = \"file://rel\"\n", `c.toml:1: store: "file://rel": the directory must be absolute, as in file:///srv/cache`},
		{"push_to = \"daemon\"\n", `c.toml:1: push_to: "daemon" is not a file:///DIR URL`},
		{"push_to = \"file:///c?compression=xz\"\n", `c.toml:1: push_to: "file:///c?compression=xz": parameters are not supported here; want file:///DIR`},
		{"key-file = \"/k\"\n", `c.toml:1: key-file: unknown key; did you mean key_file?`},
		{"a = 1\n\n[publish]\nsigning_private_key = \"/k\"\n", "c.toml:1: a: unknown key\nc.toml:3: publish: unknown key"},
		{"[key_file]\nx = 1\n", `c.toml:1: key_file: want a string, got table`},
		{"s = \"\"\"\nkey_file = 1\n\"\"\"\nx.y = 2\n", "c.toml:1: s: unknown key\nc.toml:4: x: unknown key"},
		{"key_file = \"/k\"\nkey_file = \"/j\"\n", `c.toml:2:1: Key 'key_file' has already been defined.`},
		{"store = \n", `c.toml:1:9: expected value but found '\n' instead`},
	} {
		c, err := Parse("c.toml", []byte(tt.src))
		if err == nil || err.Error() != tt.want {
			t.Errorf("Parse(%q) error:\n got %v\nwant %s", tt.src, err, tt.want)
		}
		if c != nil {
			t.Errorf("Parse(%q) returned a config with an error", tt.src)
		}
	}
}

func write(t *testing.T, path, data string) string {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestLoadMerge(t *testing.T) {
	dir := t.TempDir()
	sys := write(t, filepath.Join(dir, "etc/config.toml"), "key_file = \"/sys.sec\"\non_error = \"warn\"\n")
	usr := write(t, filepath.Join(dir, "home/.config/nixsign/config.toml"), "\nkey_file = \"/user.sec\"\n")
	env := Env{Vars: map[string]string{"NIXSIGN_SYSTEM_CONFIG": sys}, Home: filepath.Join(dir, "home")}
	c, err := Load(env)
	if err != nil {
		t.Fatal(err)
	}
	if c.KeyFile != "/user.sec" || c.OnError != "warn" {
		t.Errorf("merged: %+v", c)
	}
	if s, _ := c.Source(KeyFile); s.File != usr || s.Line != 2 {
		t.Errorf("key_file source %v", s)
	}
	if s, _ := c.Source(OnError); s.File != sys || s.Line != 2 {
		t.Errorf("on_error source %v", s)
	}
	if len(c.Files) != 2 || c.Files[0] != sys || c.Files[1] != usr {
		t.Errorf("Files = %q", c.Files)
	}
}

func TestPaths(t *testing.T) {
	for _, tt := range []struct {
		name         string
		vars         map[string]string
		home         string
		sys, user    string
		wantExplicit bool
	}{
		{"defaults", nil, "/h", "/etc/nixsign/config.toml", "/h/.config/nixsign/config.toml", false},
		{"XDG_CONFIG_HOME", map[string]string{"XDG_CONFIG_HOME": "/x"}, "/h", "/etc/nixsign/config.toml", "/x/nixsign/config.toml", false},
		{"relative XDG_CONFIG_HOME ignored", map[string]string{"XDG_CONFIG_HOME": "x"}, "/h", "/etc/nixsign/config.toml", "/h/.config/nixsign/config.toml", false},
		{"NIXSIGN_CONFIG", map[string]string{"NIXSIGN_CONFIG": "/c.toml", "XDG_CONFIG_HOME": "/x"}, "/h", "/etc/nixsign/config.toml", "/c.toml", true},
		{"empty NIXSIGN_CONFIG disables", map[string]string{"NIXSIGN_CONFIG": ""}, "/h", "/etc/nixsign/config.toml", "", false},
		{"NIXSIGN_SYSTEM_CONFIG", map[string]string{"NIXSIGN_SYSTEM_CONFIG": "/s.toml"}, "", "/s.toml", "", false},
		{"empty NIXSIGN_SYSTEM_CONFIG disables", map[string]string{"NIXSIGN_SYSTEM_CONFIG": ""}, "/h", "", "/h/.config/nixsign/config.toml", false},
	} {
		sys, user, explicit := Paths(Env{Vars: tt.vars, Home: tt.home})
		if sys != tt.sys || user != tt.user || explicit != tt.wantExplicit {
			t.Errorf("%s: Paths = %q, %q, %v", tt.name, sys, user, explicit)
		}
	}
}

func TestLoadMissing(t *testing.T) {
	dir := t.TempDir()
	// Nothing exists: defaults, no error.
	c, err := Load(Env{Vars: map[string]string{"NIXSIGN_SYSTEM_CONFIG": filepath.Join(dir, "none")}, Home: dir})
	if err != nil || c.Store != "auto" || len(c.Files) != 0 {
		t.Errorf("Load = %+v, %v", c, err)
	}
	// An explicit NIXSIGN_CONFIG must exist.
	_, err = Load(Env{Vars: map[string]string{"NIXSIGN_SYSTEM_CONFIG": "", "NIXSIGN_CONFIG": filepath.Join(dir, "none.toml")}})
	if err == nil || !strings.HasPrefix(err.Error(), "NIXSIGN_CONFIG: open ") {
		t.Errorf("missing NIXSIGN_CONFIG: %v", err)
	}
	// A broken system file is reported with its position.
	sys := write(t, filepath.Join(dir, "sys.toml"), "on_error = \"nope\"\n")
	_, err = Load(Env{Vars: map[string]string{"NIXSIGN_SYSTEM_CONFIG": sys, "NIXSIGN_CONFIG": ""}})
	if err == nil || !strings.HasPrefix(err.Error(), sys+":1: on_error: ") {
		t.Errorf("broken system file: %v", err)
	}
}
