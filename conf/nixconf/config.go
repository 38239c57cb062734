package nixconf

import (
	"slices"
	"strconv"
	"strings"
)

// A Layer is a group of configuration sources.
type Layer uint8

// The layers, in the order Nix applies them.
const (
	LayerDefault Layer = iota // the value compiled into Nix
	LayerSystem               // $NIX_CONF_DIR/nix.conf and the files it includes
	LayerUser                 // NIX_USER_CONF_FILES, or the XDG user files, and their includes
	LayerEnv                  // the NIX_CONFIG environment variable and the files it includes
)

var layerNames = [...]string{"default", "system", "user", "NIX_CONFIG"}

// String returns "default", "system", "user" or "NIX_CONFIG".
func (l Layer) String() string {
	if int(l) < len(layerNames) {
		return layerNames[l]
	}
	return "Layer(" + strconv.Itoa(int(l)) + ")"
}

// An Origin is where a value, or one element of a list, came from.
type Origin struct {
	Layer Layer
	File  string // as Nix names it: a path, or "NIX_CONFIG"; "" for a default
	Line  int    // 1-based line number in File; 0 for a default
}

// String returns "file:line", or "default".
func (o Origin) String() string {
	if o.Layer == LayerDefault && o.File == "" {
		return "default"
	}
	return o.File + ":" + strconv.Itoa(o.Line)
}

// An Item is one element of a list, set or map setting ("key=value" for a map).
type Item struct {
	Text   string
	Origin Origin
}

// A Value is the effective value of a setting.
type Value struct {
	// Text is the value as `nix show-config` prints it: booleans as true or
	// false, numbers in decimal, paths canonicalised, elements joined by
	// single spaces (sets and maps sorted).
	Text string
	// Items are the elements of a list, set or map setting, each with its
	// own origin; nil for other settings.
	Items []Item
	// Origin is the line that last set or appended to the setting, or the
	// default.
	Origin Origin
}

// An Assignment is one line that set or appended to a setting.
type Assignment struct {
	Origin Origin
	Name   string // as written: the setting, an alias, or an extra- form
	Value  string // the tokens after "=", joined by single spaces
	Append bool   // the extra- form
}

// A Warning is something Nix 2.8.0 warns about while reading the
// configuration, without refusing it.
type Warning struct {
	Origin Origin
	Msg    string // in Nix's words, e.g. "unknown setting 'foo'"
}

// String returns "file:line: msg".
func (w Warning) String() string { return w.Origin.String() + ": " + w.Msg }

// Config is the configuration Nix would run with, and where each part of it
// came from. It does not change after Load returns it.
type Config struct {
	confDir  string // canonical $NIX_CONF_DIR
	remote   string // $NIX_REMOTE, the default of "store"
	hasRem   bool
	values   map[*setting]*state
	unknown  map[string]Assignment // first assignment of each unknown name
	warnings []Warning             // warnings raised while parsing values
	files    []*File
}

// state is a setting that has been assigned.
type state struct {
	val     Value
	history []Assignment
}

func newConfig(confDir string, env Env) *Config {
	c := &Config{
		confDir: confDir,
		values:  make(map[*setting]*state),
		unknown: make(map[string]Assignment),
	}
	c.remote, c.hasRem = env.Vars["NIX_REMOTE"]
	return c
}

// Get returns the effective value of a setting, by name or alias. It reports
// false for names that are not Nix 2.8.0 settings (see Warnings for those
// that were set anyway).
func (c *Config) Get(name string) (Value, bool) {
	s, ok := settings[name]
	if !ok {
		return Value{}, false
	}
	if st := c.values[s]; st != nil {
		v := st.val
		v.Items = slices.Clone(v.Items)
		return v, true
	}
	return c.defaultValue(s), true
}

// Assignments returns the lines that set or appended to a setting (by name
// or alias), in the order Nix applied them.
func (c *Config) Assignments(name string) []Assignment {
	s, ok := settings[name]
	if !ok || c.values[s] == nil {
		return nil
	}
	return slices.Clone(c.values[s].history)
}

// Warnings returns what Nix 2.8.0 warns about when it reads this
// configuration, in the order Nix prints them: warnings about values as they
// are read, then one "unknown setting" warning per unknown name, sorted by
// name, with the origin of the name's first use.
func (c *Config) Warnings() []Warning {
	w := slices.Clone(c.warnings)
	names := make([]string, 0, len(c.unknown))
	for name := range c.unknown {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		w = append(w, Warning{c.unknown[name].Origin, "unknown setting '" + name + "'"})
	}
	return w
}

// Files returns every file Nix tried to read, in the order it applied them;
// a file included twice appears twice. The Files must not be modified.
func (c *Config) Files() []*File { return slices.Clone(c.files) }

// defaultValue returns the compiled-in value of a setting.
func (c *Config) defaultValue(s *setting) Value {
	def := s.def
	switch s.name {
	case "netrc-file":
		def = c.confDir + "/netrc"
	case "builders":
		def = "@" + c.confDir + "/machines"
	case "store":
		if c.hasRem {
			def = c.remote
		}
	}
	v := Value{Text: def}
	if s.kind.appendable() && def != "" {
		for _, t := range strings.Split(def, " ") {
			v.Items = append(v.Items, Item{Text: t})
		}
	}
	return v
}
