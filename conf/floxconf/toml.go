package floxconf

import (
	"fmt"
	"math"
	"reflect"
	"strings"
	"time"

	"github.com/nixsign/nixsign/conf/internal/tomldoc"
)

// verify checks that out parses, holds want (or lacks the key when want is
// nil), and keeps every other value of d.
func (d *document) verify(out []byte, want *string) error {
	got, err := tomldoc.Decode(d.file, out)
	if err != nil {
		return fmt.Errorf("%s: cannot edit: the result would not parse: %v", d.file, err)
	}
	if !equalTOML(dropKey(d.doc), dropKey(got)) {
		return fmt.Errorf("%s: cannot edit: the result would change other keys", d.file)
	}
	var v any
	var has bool
	if pub, ok := got["publish"].(map[string]any); ok {
		v, has = pub["signing_private_key"]
	}
	switch {
	case want == nil && has, want != nil && v != *want:
		return fmt.Errorf("%s: cannot edit: the result would not read back as intended", d.file)
	}
	return nil
}

// dropKey returns a shallow copy of doc without publish.signing_private_key
// and without a publish table left empty by that.
func dropKey(doc map[string]any) map[string]any {
	out := make(map[string]any, len(doc))
	for k, v := range doc {
		out[k] = v
	}
	if pub, ok := doc["publish"].(map[string]any); ok {
		p := make(map[string]any, len(pub))
		for k, v := range pub {
			if k != "signing_private_key" {
				p[k] = v
			}
		}
		out["publish"] = p
		if len(p) == 0 {
			delete(out, "publish")
		}
	}
	return out
}

// equalTOML is reflect.DeepEqual for decoded TOML, except that NaN equals NaN
// and times compare as instants with their zone.
func equalTOML(a, b any) bool {
	switch a := a.(type) {
	case float64:
		b, ok := b.(float64)
		return ok && (a == b || math.IsNaN(a) && math.IsNaN(b))
	case time.Time:
		b, ok := b.(time.Time)
		return ok && a.Equal(b) && a.Location().String() == b.Location().String()
	case map[string]any:
		b, ok := b.(map[string]any)
		if !ok || len(a) != len(b) {
			return false
		}
		for k, v := range a {
			w, ok := b[k]
			if !ok || !equalTOML(v, w) {
				return false
			}
		}
		return true
	case []map[string]any:
		b, ok := b.([]map[string]any)
		if !ok || len(a) != len(b) {
			return false
		}
		for i := range a {
			if !equalTOML(a[i], b[i]) {
				return false
			}
		}
		return true
	case []any:
		b, ok := b.([]any)
		if !ok || len(a) != len(b) {
			return false
		}
		for i := range a {
			if !equalTOML(a[i], b[i]) {
				return false
			}
		}
		return true
	}
	return reflect.DeepEqual(a, b)
}

func splice(src []byte, i, j int, s string) []byte {
	out := make([]byte, 0, len(src)-(j-i)+len(s))
	out = append(out, src[:i]...)
	out = append(out, s...)
	return append(out, src[j:]...)
}

// quote writes s as a TOML string the way flox's toml_edit does: a literal
// string when s holds a backslash and a literal can hold s, else a basic
// string using only TOML 1.0 escapes.
func quote(s string) string {
	if strings.Contains(s, `\`) && !strings.ContainsAny(s, "'") && !hasControl(s) {
		return "'" + s + "'"
	}
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\b':
			b.WriteString(`\b`)
		case '\t':
			b.WriteString(`\t`)
		case '\n':
			b.WriteString(`\n`)
		case '\f':
			b.WriteString(`\f`)
		case '\r':
			b.WriteString(`\r`)
		default:
			if r < 0x20 || r == 0x7f {
				fmt.Fprintf(&b, `\u%04X`, r)
			} else {
				b.WriteRune(r)
			}
		}
	}
	b.WriteByte('"')
	return b.String()
}

func hasControl(s string) bool {
	for _, r := range s {
		if r < 0x20 && r != '\t' || r == 0x7f {
			return true
		}
	}
	return false
}
