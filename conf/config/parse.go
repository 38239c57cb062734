package config

import (
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"strings"

	"github.com/nixsign/nixsign/conf/internal/tomldoc"
	"github.com/nixsign/nixsign/conf/internal/tomlscan"
)

// A field describes one key: its TOML type and how to check and store it.
type field struct {
	kind  string // "string" or "boolean"
	check func(v string) error
	set   func(c *Config, s string, b bool)
}

var fields = map[string]field{
	KeyFile:   {"string", checkPath, func(c *Config, s string, _ bool) { c.KeyFile = s }},
	Store:     {"string", checkStore, func(c *Config, s string, _ bool) { c.Store = s }},
	Recursive: {"boolean", nil, func(c *Config, _ string, b bool) { c.Recursive = b }},
	PushTo:    {"string", checkFileURL, func(c *Config, s string, _ bool) { c.PushTo = s }},
	OnError:   {"string", checkOnError, func(c *Config, s string, _ bool) { c.OnError = s }},
	LogFile:   {"string", checkPath, func(c *Config, s string, _ bool) { c.LogFile = s }},
}

// merge reads data, the contents of file, over c. On error c is unchanged.
func (c *Config) merge(file string, data []byte) error {
	doc, err := tomldoc.Decode(file, data)
	if err != nil {
		return err
	}
	// Lines of the top-level keys; all zero if the scan fails, which it
	// should not on a document the parser accepted.
	lines := map[string]int{}
	stmts, _ := tomlscan.Scan(data)
	for _, st := range stmts {
		if _, seen := lines[st.Path[0]]; !seen {
			lines[st.Path[0]] = st.Line
		}
	}
	keys := make([]string, 0, len(doc))
	for k := range doc {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if lines[keys[i]] != lines[keys[j]] {
			return lines[keys[i]] < lines[keys[j]]
		}
		return keys[i] < keys[j]
	})

	next := *c
	next.src = make(map[string]Source, len(c.src)+len(doc))
	for k, v := range c.src {
		next.src[k] = v
	}
	var errs []error
	for _, k := range keys {
		src := Source{Key: k, File: file, Line: lines[k]}
		f, known := fields[k]
		if !known {
			errs = append(errs, src.Errorf("unknown key%s", suggest(k)))
			continue
		}
		v := doc[k]
		s, isStr := v.(string)
		b, isBool := v.(bool)
		if f.kind == "string" && !isStr || f.kind == "boolean" && !isBool {
			errs = append(errs, src.Errorf("want a %s, got %s", f.kind, tomldoc.TypeName(v)))
			continue
		}
		if f.check != nil {
			if err := f.check(s); err != nil {
				errs = append(errs, src.Errorf("%v", err))
				continue
			}
		}
		f.set(&next, s, b)
		next.src[k] = src
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	next.Files = append(append([]string(nil), c.Files...), file)
	*c = next
	return nil
}

// suggest proposes the known key a misspelt one probably meant.
func suggest(k string) string {
	norm := func(s string) string {
		return strings.ToLower(strings.NewReplacer("-", "", "_", "", " ", "").Replace(s))
	}
	for known := range fields {
		if norm(known) == norm(k) {
			return "; did you mean " + known + "?"
		}
	}
	return ""
}

func checkPath(v string) error {
	switch {
	case v == "":
		return errors.New("empty path")
	case strings.HasPrefix(v, "~"):
		return fmt.Errorf("path %q starts with ~: nixsign does not expand it (the hook runs without a shell); write the home directory out in full", v)
	case !filepath.IsAbs(v):
		return fmt.Errorf("relative path %q: the hook runs in whatever directory Nix starts it in; use an absolute path such as /path/to/%s", v, filepath.Base(v))
	}
	return nil
}

func checkStore(v string) error {
	switch v {
	case "auto", "daemon", "local", "files":
		return nil
	}
	if strings.HasPrefix(v, "file://") {
		return checkFileURL(v)
	}
	return fmt.Errorf("unknown store %q: want auto, daemon, local, files or file:///DIR", v)
}

func checkFileURL(v string) error {
	dir, ok := strings.CutPrefix(v, "file://")
	switch {
	case !ok:
		return fmt.Errorf("%q is not a file:///DIR URL", v)
	case strings.ContainsAny(dir, "?#"):
		return fmt.Errorf("%q: parameters are not supported here; want file:///DIR", v)
	case !strings.HasPrefix(dir, "/"):
		return fmt.Errorf("%q: the directory must be absolute, as in file:///srv/cache", v)
	}
	return nil
}

func checkOnError(v string) error {
	if v != OnErrorFail && v != OnErrorWarn {
		return fmt.Errorf("%q: want %q or %q", v, OnErrorFail, OnErrorWarn)
	}
	return nil
}
