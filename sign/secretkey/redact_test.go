package secretkey

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

// TestRedaction: no fmt verb, nesting or logger prints a key's bytes.
func TestRedaction(t *testing.T) {
	good := readVector(t, "secret.key")
	k := mustParse(t, good)
	type holder struct {
		k  Key
		p  *Key
		ks []*Key
		K  *Key
	}
	h := holder{k: *k, p: k, ks: []*Key{k}, K: k}
	for _, v := range []any{k, *k, h, &h, []Key{*k}, map[string]*Key{"a": k}} {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%T"} {
			assertNoSecret(t, verb, fmt.Sprintf(verb, v), good)
		}
	}
	if s := fmt.Sprint(k); s != "test-key-1:<secret>" {
		t.Errorf("Sprint = %q", s)
	}
	if s := fmt.Sprintf("%#v", k); s != `secretkey.Key("test-key-1:<secret>")` {
		t.Errorf("%%#v = %q", s)
	}
	var buf bytes.Buffer
	slog.New(slog.NewTextHandler(&buf, nil)).Info("x", "key", k, "val", *k)
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("x", "key", k, "h", h)
	j, _ := json.Marshal(h)
	assertNoSecret(t, "log", buf.String()+string(j), good)
	if !strings.Contains(buf.String(), "test-key-1:<secret>") {
		t.Errorf("log = %q", buf.String())
	}
	var nilKey *Key
	if s := fmt.Sprint(nilKey); s != "<nil>" {
		t.Errorf("nil key prints %q", s)
	}
}
