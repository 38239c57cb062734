package nixconf

//go:generate go run gen_settings.go

import (
	"runtime"
	"strings"
)

// kind is the C++ type of a setting, which decides how a value is parsed
// (2.8.0 src/libutil/config.cc, BaseSetting<T>::parse and appendOrSet).
type kind uint8

const (
	kindString      kind = iota // std::string: the value as is
	kindPath                    // PathSetting: "" or an absolute path, canonicalised
	kindBool                    // true|yes|1 / false|no|0
	kindSandbox                 // SandboxMode: true|false|relaxed
	kindInt32                   // int
	kindInt64                   // long, time_t, off_t
	kindUint32                  // unsigned int
	kindUint64                  // unsigned long, uint64_t, size_t
	kindMaxJobs                 // "auto" or an unsigned int
	kindStrings                 // Strings: a list, in order (appendable)
	kindStringSet               // StringSet: sorted, no duplicates (appendable)
	kindStringMap               // StringMap: "key=value" tokens (appendable)
	kindFeatures                // std::set<ExperimentalFeature> (appendable)
	kindPluginFiles             // Paths; Nix loads the plugins after reading the configuration (appendable)
)

// appendable reports whether "extra-NAME" appends to the setting.
func (k kind) appendable() bool { return k >= kindStrings }

// setting describes one setting Nix knows.
type setting struct {
	name    string
	kind    kind
	def     string   // the default, as `nix show-config` prints it
	aliases []string // other names that set it
	varies  bool     // the default depends on the machine or user: def is the generating machine's
	goos    string   // "" or the only GOOS where Nix has the setting
}

// experimentalFeatures are the names Nix 2.8.0 accepts in
// experimental-features (src/libutil/experimental-features.cc).
var experimentalFeatures = []string{
	"ca-derivations", "impure-derivations", "flakes", "nix-command",
	"recursive-nix", "no-url-literals", "fetch-closure",
}

// settings maps every setting name and alias to its description.
var settings = func() map[string]*setting {
	m := make(map[string]*setting, 2*len(settingTable))
	for i := range settingTable {
		s := &settingTable[i]
		if s.goos != "" && s.goos != runtime.GOOS {
			continue
		}
		m[s.name] = s
		for _, a := range s.aliases {
			m[a] = s
		}
	}
	if runtime.GOOS == "darwin" {
		m["sandbox"].def = "false"
	}
	return m
}()

// Canonical returns the name of the setting that name sets: name itself or,
// for an alias such as binary-cache-public-keys, the setting it stands for
// (trusted-public-keys). It reports false for a name Nix 2.8.0 does not know.
// The "extra-" forms are not settings of their own and are not resolved.
func Canonical(name string) (string, bool) {
	s, ok := settings[name]
	if !ok {
		return "", false
	}
	return s.name, true
}

// lookup resolves a name as Nix's Config::set does: an exact match (names and
// aliases), else "extra-" followed by the name of an appendable setting.
func lookup(name string) (s *setting, appendTo bool) {
	if s, ok := settings[name]; ok {
		return s, false
	}
	if rest, ok := strings.CutPrefix(name, "extra-"); ok {
		if s, ok := settings[rest]; ok && s.kind.appendable() {
			return s, true
		}
	}
	return nil, false
}
