package hook

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nixsign/nixsign/conf/config"
	"github.com/nixsign/nixsign/sign/secretkey"
)

// The key's path comes from --key-file, else $NIXSIGN_KEY_FILE, else
// nixsign's config, else flox's; each source is named as it should be.
func TestResolveKeyPrecedence(t *testing.T) {
	dir := t.TempDir()
	cfgFile := writeFile(t, filepath.Join(dir, "config.toml"), "# nixsign\nkey_file = \"/from/nixsign.sec\"\n")
	env := testEnv(t, map[string]string{"NIXSIGN_CONFIG": cfgFile, "NIXSIGN_KEY_FILE": "/from/env.sec"})
	flox := writeFile(t, filepath.Join(env.Vars["FLOX_CONFIG_DIR"], "flox.toml"), "[publish]\n\nsigning_private_key = \"/from/flox.sec\"\n")
	cfg, err := config.Load(env)
	if err != nil {
		t.Fatal(err)
	}
	check := func(flag string, cfg *config.Config, wantPath, wantSource string) {
		t.Helper()
		ref, err := ResolveKey(flag, env, cfg)
		if err != nil {
			t.Fatal(err)
		}
		if ref.Path != wantPath || ref.Source.String() != wantSource {
			t.Errorf("got %s from %s, want %s from %s", ref.Path, ref.Source, wantPath, wantSource)
		}
	}
	check("/from/flag.sec", cfg, "/from/flag.sec", "--key-file")
	check("", cfg, "/from/env.sec", "$NIXSIGN_KEY_FILE")
	env.Vars["NIXSIGN_KEY_FILE"] = ""
	check("", cfg, "/from/nixsign.sec", "key_file in "+cfgFile+":2")
	check("", nil, "/from/flox.sec", "publish.signing_private_key in "+flox+":3")
	empty, _ := config.Parse("x", nil)
	check("", empty, "/from/flox.sec", "publish.signing_private_key in "+flox+":3")
	env.Vars["FLOX_PUBLISH.SIGNING_PRIVATE_KEY"] = "/from/flox-env.sec"
	check("", empty, "/from/flox-env.sec", "$FLOX_PUBLISH.SIGNING_PRIVATE_KEY")
}

func TestResolveKeyErrors(t *testing.T) {
	env := testEnv(t, nil)
	flox := filepath.Join(env.Vars["FLOX_CONFIG_DIR"], "flox.toml")
	tests := []struct {
		toml string
		want string
	}{
		{"", "no signing key configured: "},
		{"[publish]\nsigning_private_key = \"k.sec\"\n", flox + `:2: publish.signing_private_key: relative path "k.sec": flox resolves it against the directory ` + "`flox publish`" + ` runs in; use an absolute path such as /path/to/k.sec`},
		{"publish.signing_private_key = \"~/k.sec\"\n", flox + `:1: publish.signing_private_key: path "~/k.sec" starts with ~: neither flox nor Nix expands it`},
		{"publish.signing_private_key = \"\"\n", flox + `:1: publish.signing_private_key: empty path`},
		{"[publish\n", "flox config: " + flox + ":1:"},
	}
	for _, tt := range tests {
		writeFile(t, flox, tt.toml)
		_, err := ResolveKey("", env, nil)
		if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("%q: err = %v\nwant prefix %q", tt.toml, err, tt.want)
		}
		var ke *KeyError
		if errors.As(err, &ke) != !strings.HasPrefix(tt.want, "flox config") {
			t.Errorf("%q: KeyError %v", tt.toml, err)
		}
	}

	// A space is a warning: flox would make Nix open another file.
	writeFile(t, flox, "[publish]\nsigning_private_key = \"/my keys/k.sec\"\n")
	ref, err := ResolveKey("", env, nil)
	if err != nil || len(ref.Warnings) != 1 || !strings.HasPrefix(ref.Warnings[0], flox+":2: publish.signing_private_key: path \"/my keys/k.sec\" contains a space") {
		t.Errorf("ref %+v, err %v", ref, err)
	}
}

// KeyRef.Load applies the key-file policy and names the source.
func TestKeyRefLoad(t *testing.T) {
	open := keyFile(t, 0o644)
	ref := &KeyRef{Path: open, Source: KeySource{Name: "key_file", File: "/etc/nixsign/config.toml", Line: 3}}
	_, err := ref.Load()
	var fe *secretkey.FileError
	if !errors.As(err, &fe) || fe.Kind != secretkey.TooOpen {
		t.Fatalf("err = %v", err)
	}
	want := "/etc/nixsign/config.toml:3: key_file: " + open + ": has mode 0644, wider than 0600: a secret key must be private to its owner; run: chmod 600 " + open
	if err.Error() != want {
		t.Errorf("got  %q\nwant %q", err, want)
	}
	k, err := (&KeyRef{Path: keyFile(t, 0o600), Source: FlagSource}).Load()
	if err != nil || k.Name() != "test-key-1" {
		t.Errorf("good key: %v", err)
	}
}

func TestKeySourceString(t *testing.T) {
	for _, tt := range []struct {
		s          KeySource
		str, refix string
	}{
		{FlagSource, "--key-file", "--key-file"},
		{EnvSource, "$NIXSIGN_KEY_FILE", "$NIXSIGN_KEY_FILE"},
		{KeySource{Name: "key_file", File: "/c.toml", Line: 2}, "key_file in /c.toml:2", "/c.toml:2: key_file"},
		{KeySource{Name: "key_file", File: "/c.toml"}, "key_file in /c.toml", "/c.toml: key_file"},
	} {
		if tt.s.String() != tt.str || tt.s.prefix() != tt.refix {
			t.Errorf("%+v: %q, %q", tt.s, tt.s.String(), tt.s.prefix())
		}
	}
}
