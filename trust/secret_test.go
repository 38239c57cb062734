package trust

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/nixsign/nixsign/conf/nixconf"
	"github.com/nixsign/nixsign/sign"
)

// secret1 is test-key-1's secret key (testdata/vectors/secret.key).
const secret1 = "test-key-1:UxMD/rhsYNRs3dG+yYmF+gmf48NkbzFMRdPvNwoe3KwTYLCPPNzmzKGVWwVnYha9s/6213PzJD554OPnQwQ4mw=="

// noSecret fails when s holds any 8-byte piece of secret1's base64.
func noSecret(t *testing.T, what, s string) {
	t.Helper()
	b64 := strings.TrimRight(secret1[len("test-key-1:"):], "=")
	for i := 0; i+8 <= len(b64); i++ {
		if strings.Contains(s, b64[i:i+8]) {
			t.Fatalf("%s shows a piece of the secret key (%q):\n%s", what, b64[i:i+8], s)
		}
	}
}

// reportText is everything a report prints: text and JSON.
func reportText(t *testing.T, r *Report) string {
	t.Helper()
	var b strings.Builder
	if err := r.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	j, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	return b.String() + "\n" + string(j)
}

// TestSecretKeyEntry: a secret key in trusted-public-keys is never shown,
// in the text, the JSON, the reasons or the fixes; Nix fails on it (a
// config error), and the fix removes it by name and says to rotate it.
func TestSecretKeyEntry(t *testing.T) {
	for _, tc := range []struct {
		name, conf string
		key        string
		codes      []string
		fixes      []string
	}{
		{"the key's own secret first", "extra-trusted-public-keys = " + secret1 + " " + key1 + "\n", key1,
			[]string{"malformed", "secret-key-entry"},
			[]string{"remove the secret key test-key-1:<secret key, redacted> from /etc/nix/nix.conf (line 1); then rotate the key",
				"(the command removes every entry named test-key-1)",
				"$ nixsign trust remove test-key-1\n", "$ nixsign trust add " + key1}},
		{"a secret key of another name", "extra-trusted-public-keys = " + key2 + " other:" + secret1[len("test-key-1:"):] + "\n", key2,
			[]string{"listed", "malformed", "secret-key-entry"},
			[]string{"remove the secret key other:<secret key, redacted>", "$ nixsign trust remove other\n"}},
		{"the base64 alone", "extra-trusted-public-keys = " + secret1[len("test-key-1:"):] + "\n", key1,
			[]string{"not-listed", "malformed"},
			[]string{"remove the secret key <secret key, redacted> from /etc/nix/nix.conf (line 1); then rotate the key", "(it has no name: edit the file by hand)", "$ nixsign trust add " + key1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := newMachine(t)
			m.user = User{Name: "root", Group: "root"}
			m.write("/etc/nix/nix.conf", tc.conf)
			r := m.check("local", tc.key)
			k := want(t, r, BadConfig, tc.codes...)
			wantFix(t, k, tc.fixes...)
			if r.Problem != ProblemConfig {
				t.Errorf("problem %q", r.Problem)
			}
			noSecret(t, "report", reportText(t, r))
			if fixes := fixText(k); strings.Count(fixes, "fix: ") != len(k.Fixes) || len(dedupFixes(k.Fixes)) != len(k.Fixes) {
				t.Errorf("repeated fixes:\n%s", fixes)
			}
		})
	}
	// In NIX_CONFIG, and in secret-key-files by mistake.
	m := newMachine(t)
	m.vars["NIX_CONFIG"] = "extra-trusted-public-keys = " + secret1 + "\nsecret-key-files = " + secret1
	r := m.check("local", key2)
	k := want(t, r, BadConfig, "malformed", "secret-key-entry")
	wantFix(t, k, "remove the secret key test-key-1:<secret key, redacted> from the NIX_CONFIG environment variable; then rotate the key")
	if r.Config.SecretKeyFiles[0] != sign.NotAPath || r.Config.TrustedPublicKeys[1].Key != "test-key-1:"+sign.Redacted {
		t.Errorf("%+v", r.Config)
	}
	noSecret(t, "report", reportText(t, r))
	// Not listed at all and not malformed elsewhere: the secret-key-files
	// reason shows the entry redacted.
	m.vars["NIX_CONFIG"] = "secret-key-files = " + secret1
	r = m.check("local", key2)
	want(t, r, NotTrusted, "secret-key-files")
	noSecret(t, "report", reportText(t, r))
}

// TestMalformedSameName: an entry of the key's name that is not a valid
// key is not a "shadowing" key: Nix fails on it (observed with 2.8.0:
// nix store verify, nix copy: "public key is not valid"), so the verdict is
// a config error naming file:line and the entry, and each fix is given
// once.
func TestMalformedSameName(t *testing.T) {
	m := newMachine(t)
	m.user = User{Name: "root", Group: "root"}
	m.write("/etc/nix/nix.conf", "extra-trusted-public-keys = test-key-1:AAAA\nextra-trusted-public-keys = "+key1+"\n")
	r := m.check("local", key1)
	k := want(t, r, BadConfig, "malformed")
	for _, rs := range k.Reasons {
		if rs.Code == "shadowed" || rs.Code == "shadowed-later" {
			t.Errorf("reason %+v", rs)
		}
	}
	wantMsg := `/etc/nix/nix.conf:1: trusted-public-keys entry "test-key-1:AAAA" is not a valid public key: Nix fails every signature check with "public key is not valid", so it trusts no key`
	if k.Reasons[0].Message != wantMsg || k.Reasons[0].Origin != "/etc/nix/nix.conf:1" {
		t.Errorf("reason %+v\nwant %q", k.Reasons[0], wantMsg)
	}
	if r.Problem != ProblemConfig || k.Accepted {
		t.Errorf("problem %q", r.Problem)
	}
	if got := fixText(k); got != "  fix: remove test-key-1:AAAA from /etc/nix/nix.conf (line 1)\n    $ nixsign trust remove test-key-1:AAAA\n" {
		t.Errorf("fixes:\n%s", got)
	}
	// Not listed besides: remove, then add.
	m.write("/etc/nix/nix.conf", "extra-trusted-public-keys = test-key-1:AAAA\n")
	k = want(t, m.check("local", key1), BadConfig, "malformed")
	wantFix(t, k, "$ nixsign trust remove test-key-1:AAAA\n", "$ nixsign trust add "+key1)
	if strings.Count(fixText(k), "trust remove") != 1 {
		t.Errorf("fixes:\n%s", fixText(k))
	}
	// require-sigs = false: the daemon never checks, so everything goes.
	m.write("/etc/nix/nix.conf", "require-sigs = false\nextra-trusted-public-keys = test-key-1:AAAA\n")
	want(t, m.check("local", key1), AcceptsAll, "malformed", "require-sigs-off")
}

func TestNixKeyError(t *testing.T) {
	for in, want := range map[string]string{
		"garbage":         "secret key is corrupt",
		":AAAA":           "secret key is corrupt",
		"k:":              "secret key is corrupt",
		"k:AA!A":          "invalid character in Base64 string",
		"k:AAAA":          "public key is not valid",
		secret1:           "public key is not valid",
		"k:AAAA=!":        "public key is not valid", // Nix stops at '='
		"k:AAAA\nAAAAAAA": "public key is not valid",
	} {
		if got := nixKeyError(in); got != want {
			t.Errorf("nixKeyError(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestEditSecretKeyEntry: trust remove NAME removes a secret key entry and
// says so (the entry, the diff) without showing it; trust add of a key whose name a secret key
// entry holds is refused without showing it.
func TestEditSecretKeyEntry(t *testing.T) {
	ctx := context.Background()
	m := newMachine(t)
	m.user = User{Name: "root", Group: "root"}
	m.write("/etc/nix/nix.conf", "extra-trusted-public-keys = "+secret1+"\n")
	_, err := AddKey(ctx, m.edit("local"), mustKey(t, key1))
	var ce *nixconf.KeyConflictError
	if !errors.As(err, &ce) || ce.Entry != "test-key-1:"+sign.Redacted {
		t.Fatalf("AddKey: %v", err)
	}
	noSecret(t, "AddKey", err.Error())
	ed, err := RemoveKeys(ctx, m.edit("local"), "test-key-1")
	if err != nil || !ed.Changed || len(ed.Removed) != 1 || ed.Removed[0] != "test-key-1:<secret key, redacted> (/etc/nix/nix.conf:1)" {
		t.Fatalf("RemoveKeys: %v %+v", err, ed)
	}
	if !strings.Contains(ed.Diff, "-extra-trusted-public-keys = test-key-1:<secret key, redacted>\n") {
		t.Errorf("diff:\n%s", ed.Diff)
	}
	noSecret(t, "diff", ed.Diff)
	if strings.Contains(m.read("/etc/nix/nix.conf"), "UxMD") {
		t.Error("the secret key is still there")
	}
}

// TestCrossCheckSecret: the cross-check's differences never show a secret.
func TestCrossCheckSecret(t *testing.T) {
	m := newMachine(t)
	m.write("/etc/nix/nix.conf", "extra-trusted-public-keys = "+secret1+"\nsecret-key-files = "+secret1+"\n")
	m.run = func(ctx context.Context, env []string, args ...string) ([]byte, error) {
		return []byte(`{"trusted-public-keys":{"value":["` + secret1 + `x"]},"secret-key-files":{"value":["` + secret1 + `x"]}}`), nil
	}
	opts := m.options("local")
	opts.CrossCheck = true
	r := m.checkOpts(opts, key1)
	if r.CrossCheck == nil || len(r.CrossCheck.Differences) != 2 {
		t.Fatalf("%+v", r.CrossCheck)
	}
	noSecret(t, "report", reportText(t, r))
}

// TestAddKeyUnread: an edit of a file the store's configuration does not
// read is made, and the Edit says so and which file is read.
func TestAddKeyUnread(t *testing.T) {
	ctx := context.Background()
	m := newMachine(t)
	m.user = User{Name: "root", Group: "root"}
	m.write("/etc/nix/nix.conf", "include extra.conf\n")
	m.write("/etc/nix/extra.conf", "")
	m.daemon(42, time.Now().Add(-time.Hour), map[string]string{})
	for _, tc := range []struct {
		conf   string
		unread bool
	}{
		{"/elsewhere/nix.conf", true},
		{"/etc/nix/nix.conf", false},
		{"/etc/nix/extra.conf", false},        // included, though missing
		{"/root/.config/nix/nix.conf", false}, // the daemon's user file
	} {
		opts := m.edit("daemon")
		opts.Conf = tc.conf
		ed, err := AddKey(ctx, opts, mustKey(t, key1))
		if err != nil || !ed.Changed || ed.Unread != tc.unread || ed.Reads != "/etc/nix/nix.conf" || ed.Reader != "the nix-daemon" {
			t.Errorf("%s: %v %+v", tc.conf, err, ed)
		}
		if tc.unread && !strings.Contains(m.read(tc.conf), key1) {
			t.Errorf("%s not edited", tc.conf)
		}
	}
	// A local store: nix itself reads the files.
	opts := m.edit("local")
	opts.Conf = "/elsewhere/other.conf"
	ed, err := AddKey(ctx, opts, mustKey(t, key2))
	if err != nil || !ed.Unread || ed.Reader != "nix" {
		t.Errorf("%v %+v", err, ed)
	}
	// Without --conf, the file edited is the one read.
	ed, err = AddKey(ctx, m.edit("daemon"), mustKey(t, key2))
	if err != nil || ed.Unread {
		t.Errorf("%v %+v", err, ed)
	}
}

func TestRedactSecrets(t *testing.T) {
	plain := "# keys\nextra-trusted-public-keys =  " + key1 + "\t" + key2 + "  # ours\r\n\n"
	if got := string(redactSecrets([]byte(plain))); got != plain {
		t.Errorf("changed %q to %q", plain, got)
	}
	// What follows the padding goes too ("#x"): Nix ignores it as well.
	in := "trusted-public-keys = " + key1 + " " + secret1 + "\ntrusted-public-keys=" + secret1 + "\n#" + secret1 + "#x\n"
	want := "trusted-public-keys = " + key1 + " test-key-1:<secret key, redacted>\ntrusted-public-keys=test-key-1:<secret key, redacted>\n#test-key-1:<secret key, redacted>\n"
	if got := string(redactSecrets([]byte(in))); got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
	// Glued to other text.
	noSecret(t, "redactSecrets", string(redactSecrets([]byte("x='"+secret1[len("test-key-1:"):]+"'"))))
}
