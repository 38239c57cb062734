package floxconf

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// tree makes the listed files (path: contents) under a fresh directory.
func tree(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for name, data := range files {
		p := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func keyFile(v string) string { return "[publish]\nsigning_private_key = \"" + v + "\"\n" }

func TestUserFile(t *testing.T) {
	root := tree(t, map[string]string{
		"xdg/flox/flox.toml":  "",
		"sys1/flox/flox.toml": "",
		"sys2/flox/flox.toml": "",
	})
	j := func(p string) string { return filepath.Join(root, p) }
	for _, tt := range []struct {
		name string
		vars map[string]string
		home string
		want string
	}{
		{"FLOX_CONFIG_DIR wins", map[string]string{"FLOX_CONFIG_DIR": j("fcd"), "XDG_CONFIG_HOME": j("xdg")}, j("home"), j("fcd/flox.toml")},
		{"empty FLOX_CONFIG_DIR is unset", map[string]string{"FLOX_CONFIG_DIR": "", "XDG_CONFIG_HOME": j("xdg")}, "", j("xdg/flox/flox.toml")},
		{"XDG_CONFIG_HOME file", map[string]string{"XDG_CONFIG_HOME": j("xdg"), "XDG_CONFIG_DIRS": j("sys1")}, "", j("xdg/flox/flox.toml")},
		{"first XDG_CONFIG_DIRS file", map[string]string{"XDG_CONFIG_HOME": j("none"), "XDG_CONFIG_DIRS": j("nope") + ":" + j("sys2") + ":" + j("sys1")}, "", j("sys2/flox/flox.toml")},
		{"relative XDG entries ignored", map[string]string{"XDG_CONFIG_HOME": "xdg", "XDG_CONFIG_DIRS": "sys1:" + j("sys1")}, j("home"), j("sys1/flox/flox.toml")},
		{"default when none exists", map[string]string{"XDG_CONFIG_HOME": j("none"), "XDG_CONFIG_DIRS": j("nope")}, j("home"), j("none/flox/flox.toml")},
		{"HOME default", map[string]string{"XDG_CONFIG_DIRS": j("nope")}, j("home"), j("home/.config/flox/flox.toml")},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := UserFile(Env{Vars: tt.vars, Home: tt.home})
			if err != nil || got != tt.want {
				t.Errorf("UserFile = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
	if _, err := UserFile(Env{Vars: map[string]string{"XDG_CONFIG_DIRS": j("nope")}}); err == nil {
		t.Error("UserFile without any home: want error")
	}
}

func TestSystemFile(t *testing.T) {
	if f, ok := SystemFile(Env{}); f != "/etc/flox.toml" || !ok {
		t.Errorf("default: %q %v", f, ok)
	}
	if f, ok := SystemFile(Env{Vars: map[string]string{"FLOX_SYSTEM_CONFIG_DIR": "/opt/etc"}}); f != "/opt/etc/flox.toml" || !ok {
		t.Errorf("override: %q %v", f, ok)
	}
	if f, ok := SystemFile(Env{Vars: map[string]string{"FLOX_SYSTEM_CONFIG_DIR": ""}}); ok {
		t.Errorf("empty disables: %q %v", f, ok)
	}
}

func TestSigningKeyPrecedence(t *testing.T) {
	root := tree(t, map[string]string{
		"user/flox.toml":        "# user\n" + keyFile("/user.sec"),
		"sys/flox.toml":         keyFile("/sys.sec"),
		"user-nokey/flox.toml":  "[publish]\n",
		"user-broken/flox.toml": "[publish\n",
		"xdg/flox/flox.toml":    "disable_metrics = true\npublish.signing_private_key = '/xdg.sec'\n",
	})
	j := func(p string) string { return filepath.Join(root, p) }
	for _, tt := range []struct {
		name     string
		vars     map[string]string
		want     string
		wantSrc  string
		wantNone bool
		wantErr  string
	}{
		{"user over system", map[string]string{"FLOX_CONFIG_DIR": j("user"), "FLOX_SYSTEM_CONFIG_DIR": j("sys")},
			"/user.sec", "publish.signing_private_key in " + j("user/flox.toml") + ":3", false, ""},
		{"system when user lacks it", map[string]string{"FLOX_CONFIG_DIR": j("user-nokey"), "FLOX_SYSTEM_CONFIG_DIR": j("sys")},
			"/sys.sec", "publish.signing_private_key in " + j("sys/flox.toml") + ":2", false, ""},
		{"system when user missing", map[string]string{"FLOX_CONFIG_DIR": j("absent"), "FLOX_SYSTEM_CONFIG_DIR": j("sys")},
			"/sys.sec", "publish.signing_private_key in " + j("sys/flox.toml") + ":2", false, ""},
		{"empty FLOX_SYSTEM_CONFIG_DIR disables system", map[string]string{"FLOX_CONFIG_DIR": j("user-nokey"), "FLOX_SYSTEM_CONFIG_DIR": ""},
			"", "", true, ""},
		{"XDG user file", map[string]string{"XDG_CONFIG_HOME": j("xdg"), "FLOX_SYSTEM_CONFIG_DIR": j("sys")},
			"/xdg.sec", "publish.signing_private_key in " + j("xdg/flox/flox.toml") + ":2", false, ""},
		{"environment over files", map[string]string{"FLOX_CONFIG_DIR": j("user"), "FLOX_PUBLISH.SIGNING_PRIVATE_KEY": "/env.sec"},
			"/env.sec", "$FLOX_PUBLISH.SIGNING_PRIVATE_KEY", false, ""},
		{"environment, lower case", map[string]string{"FLOX_publish.signing_private_key": "/env.sec", "FLOX_SYSTEM_CONFIG_DIR": ""},
			"/env.sec", "$FLOX_publish.signing_private_key", false, ""},
		{"underscore variable is not read by flox", map[string]string{"FLOX_PUBLISH_SIGNING_PRIVATE_KEY": "/env.sec", "FLOX_CONFIG_DIR": j("user")},
			"/user.sec", "publish.signing_private_key in " + j("user/flox.toml") + ":3", false, ""},
		{"broken user file", map[string]string{"FLOX_CONFIG_DIR": j("user-broken"), "FLOX_SYSTEM_CONFIG_DIR": j("sys")},
			"", "", false, j("user-broken/flox.toml") + ":1:"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			v, src, ok, err := SigningKey(Env{Vars: tt.vars, Home: j("home")})
			if tt.wantErr != "" {
				if err == nil || !strings.HasPrefix(err.Error(), tt.wantErr) {
					t.Errorf("err = %v, want prefix %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tt.wantNone {
				if ok {
					t.Errorf("got %q from %v, want none", v, src)
				}
				return
			}
			if !ok || v != tt.want || src.String() != tt.wantSrc {
				t.Errorf("got %q, %q, %v; want %q, %q", v, src, ok, tt.want, tt.wantSrc)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	src := Source{File: "/h/.config/flox/flox.toml", Line: 3}
	for _, tt := range []struct {
		value, err, warn string
	}{
		{"/abs/key.sec", "", ""},
		{"key.sec", `/h/.config/flox/flox.toml:3: publish.signing_private_key: relative path "key.sec": flox resolves it against the directory ` + "`flox publish`" + ` runs in; use an absolute path such as /path/to/key.sec`, ""},
		{"~/key.sec", `/h/.config/flox/flox.toml:3: publish.signing_private_key: path "~/key.sec" starts with ~: neither flox nor Nix expands it; write the home directory out in full`, ""},
		{"", "/h/.config/flox/flox.toml:3: publish.signing_private_key: empty path", ""},
		{"/a b/key.sec", "", `/h/.config/flox/flox.toml:3: publish.signing_private_key: path "/a b/key.sec" contains a space: flox puts it in the upload URL with the space encoded as '+', which Nix does not decode, so Nix opens "/a+b/key.sec"; use a path without spaces`},
	} {
		warnings, err := Validate(tt.value, src)
		if tt.err == "" && err != nil || tt.err != "" && (err == nil || !strings.HasPrefix(err.Error(), tt.err)) {
			t.Errorf("Validate(%q) error = %v, want %q", tt.value, err, tt.err)
		}
		if got := strings.Join(warnings, "\n"); got != tt.warn {
			t.Errorf("Validate(%q) warnings = %q, want %q", tt.value, got, tt.warn)
		}
	}
	if err := (Source{Var: "FLOX_PUBLISH.SIGNING_PRIVATE_KEY"}).Errorf("x"); err.Error() != "$FLOX_PUBLISH.SIGNING_PRIVATE_KEY: x" {
		t.Errorf("env source error: %v", err)
	}
}
