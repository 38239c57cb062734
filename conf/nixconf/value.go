package nixconf

import (
	"path"
	"runtime"
	"slices"
	"strconv"
	"strings"
)

// set applies "name = value" as Nix's GlobalConfig::set does. A name no
// setting answers to is remembered as unknown (the first value wins, as in
// Nix's unknownSettings map). The error is the problem in Nix's words.
func (c *Config) set(name, value string, o Origin) (problem string) {
	s, appendTo := lookup(name)
	if s == nil {
		if _, dup := c.unknown[name]; !dup {
			c.unknown[name] = Assignment{Origin: o, Name: name, Value: value}
		}
		return ""
	}
	st := c.values[s]
	if st == nil {
		st = &state{val: c.defaultValue(s)}
		c.values[s] = st
	}
	if p := c.assign(s, &st.val, value, appendTo, o); p != "" {
		return p
	}
	st.val.Origin = o
	st.history = append(st.history, Assignment{Origin: o, Name: name, Value: value, Append: appendTo})
	return ""
}

// assign parses value by the setting's kind and stores it in v.
func (c *Config) assign(s *setting, v *Value, value string, appendTo bool, o Origin) (problem string) {
	switch s.kind {
	case kindString:
		v.Text = value
	case kindPath:
		if value != "" {
			if value[0] != '/' {
				return "not an absolute path: '" + value + "'"
			}
			value = path.Clean(value)
		}
		v.Text = value
	case kindBool:
		switch value {
		case "true", "yes", "1":
			v.Text = "true"
		case "false", "no", "0":
			v.Text = "false"
		default:
			return "Boolean setting '" + s.name + "' has invalid value '" + value + "'"
		}
	case kindSandbox:
		if value != "true" && value != "false" && value != "relaxed" {
			return "option '" + s.name + "' has invalid value '" + value + "'"
		}
		v.Text = value
	case kindInt32, kindInt64, kindUint32, kindUint64:
		t, ok := parseInt(value, s.kind)
		if !ok {
			return "setting '" + s.name + "' has invalid value '" + value + "'"
		}
		v.Text = t
	case kindMaxJobs:
		if value == "auto" {
			v.Text = strconv.Itoa(runtime.NumCPU())
			break
		}
		t, ok := parseInt(value, kindUint32)
		if !ok {
			return "configuration setting '" + s.name + "' should be 'auto' or an integer"
		}
		v.Text = t
	case kindStrings, kindPluginFiles:
		if !appendTo {
			v.Items = nil
		}
		forEachToken(value, func(t string) { v.Items = append(v.Items, Item{t, o}) })
		v.Text = joinItems(v.Items)
	case kindStringSet:
		if !appendTo {
			v.Items = nil
		}
		forEachToken(value, func(t string) { v.Items = insertSorted(v.Items, t, t, o, false) })
		v.Text = joinItems(v.Items)
	case kindStringMap:
		// Parse into a map first: within one value the first "key=" wins,
		// and a token without "=" is ignored.
		var parsed []Item
		forEachToken(value, func(t string) {
			if k, _, ok := strings.Cut(t, "="); ok {
				parsed = insertSorted(parsed, k, t, o, true)
			}
		})
		if !appendTo {
			v.Items = nil
		}
		for _, it := range parsed {
			k, _, _ := strings.Cut(it.Text, "=")
			v.Items = insertSorted(v.Items, k, it.Text, o, true)
		}
		v.Text = joinItems(v.Items)
	case kindFeatures:
		var parsed []Item
		forEachToken(value, func(t string) { parsed = insertSorted(parsed, t, t, o, false) })
		if !appendTo {
			v.Items = nil
		}
		for _, it := range parsed {
			if !slices.Contains(experimentalFeatures, it.Text) {
				c.warnings = append(c.warnings, Warning{o, "unknown experimental feature '" + it.Text + "'"})
				continue
			}
			v.Items = insertSorted(v.Items, it.Text, it.Text, o, false)
		}
		v.Text = joinItems(v.Items)
	}
	if !s.kind.appendable() {
		v.Items = nil
	}
	return ""
}

// insertSorted inserts an item with the given key into items, sorted by key,
// unless an item with that key is there already (std::set and std::map
// insertion keep the element they have). The key of a map item is its text up
// to the first '='; a set item is its own key.
func insertSorted(items []Item, key, text string, o Origin, isMap bool) []Item {
	i, found := slices.BinarySearchFunc(items, key, func(it Item, key string) int {
		k := it.Text
		if isMap {
			k, _, _ = strings.Cut(k, "=")
		}
		return strings.Compare(k, key)
	})
	if found {
		return items
	}
	return slices.Insert(items, i, Item{text, o})
}

func joinItems(items []Item) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0].Text
	}
	n := len(items) - 1
	for _, it := range items {
		n += len(it.Text)
	}
	var b strings.Builder
	b.Grow(n)
	for i, it := range items {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(it.Text)
	}
	return b.String()
}

// parseInt parses a decimal integer as boost::lexical_cast does for Nix's
// string2Int: an optional sign ('-' refused for unsigned types), then ASCII
// digits only, in range. It returns the number as Nix prints it.
func parseInt(s string, k kind) (string, bool) {
	neg := false
	digits := s
	if digits != "" && (digits[0] == '+' || digits[0] == '-') {
		neg = digits[0] == '-'
		digits = digits[1:]
	}
	if digits == "" {
		return "", false
	}
	var max uint64
	switch k {
	case kindInt32:
		max = 1<<31 - 1
	case kindInt64:
		max = 1<<63 - 1
	case kindUint32:
		max = 1<<32 - 1
	default:
		max = 1<<64 - 1
	}
	signed := k == kindInt32 || k == kindInt64
	if neg {
		if !signed {
			return "", false
		}
		max++ // the negative range reaches one further
	}
	var n uint64
	for i := 0; i < len(digits); i++ {
		d := digits[i] - '0'
		if d > 9 {
			return "", false
		}
		if n > (max-uint64(d))/10 {
			return "", false
		}
		n = n*10 + uint64(d)
	}
	t := strconv.FormatUint(n, 10)
	if neg && n != 0 {
		t = "-" + t
	}
	return t, true
}
