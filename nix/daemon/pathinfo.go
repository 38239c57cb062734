package daemon

import (
	"context"
	"errors"
	"strings"
)

// PathInfo is what the daemon knows about a valid store path
// (ValidPathInfo in Nix).
type PathInfo struct {
	Path    string // absolute store path
	Deriver string // the .drv it was built from, or ""
	// NarHash is the SHA-256 of the path's NAR exactly as the daemon sent
	// it: 64 lowercase hex digits without an algorithm prefix (Nix 2.8.0
	// sends narHash.to_string(Base16, false)). Nix reads it with
	// Hash::parseAny, so a daemon could also send a prefixed form.
	NarHash          string
	References       []string // absolute store paths, sorted
	RegistrationTime int64    // Unix seconds
	NarSize          uint64
	Ultimate         bool     // built locally: trusted without signatures
	Sigs             []string // "name:base64", sorted
	CA               string   // content address ("fixed:r:sha256:…"), or ""
}

// QueryPathInfo returns what the daemon knows about p. ok is false, with a
// nil error, when p is not valid.
//
//	request: u64(26) str(path)
//	reply:   if ≥1.17: u64(valid); if valid: str(deriver) str(narHash)
//	         strs(references) u64(registrationTime) u64(narSize)
//	         if ≥1.16: u64(ultimate) strs(sigs) str(ca)
func (c *Client) QueryPathInfo(ctx context.Context, p string) (info PathInfo, ok bool, err error) {
	if err := c.checkPath("QueryPathInfo", p); err != nil {
		return PathInfo{}, false, err
	}
	err = c.do(ctx, "QueryPathInfo", c.opts.Timeout, func() error {
		encQueryPathInfo(&c.enc, p)
		if err := c.request(); err != nil {
			return err
		}
		info, ok, err = c.readPathInfo(p)
		return err
	})
	if isNotValid(err) {
		return PathInfo{}, false, nil
	}
	if err != nil || !ok {
		return PathInfo{}, false, err
	}
	return info, true, nil
}

func encQueryPathInfo(e *encoder, p string) {
	e.u64(opQueryPathInfo)
	e.str(p)
}

// readPathInfo reads the reply to QueryPathInfo(p) that follows
// STDERR_LAST.
func (c *Client) readPathInfo(p string) (info PathInfo, ok bool, err error) {
	d := &c.dec
	if minor(c.version) >= 17 && !d.bool() {
		return PathInfo{}, false, d.err
	}
	info.Path = p
	info.Deriver = d.str()
	info.NarHash = d.str()
	info.References = d.strs()
	info.RegistrationTime = int64(d.u64())
	info.NarSize = d.u64()
	if minor(c.version) >= 16 {
		info.Ultimate = d.bool()
		info.Sigs = d.strs()
		info.CA = d.str()
	}
	if d.err != nil {
		return PathInfo{}, false, d.err
	}
	if err := c.checkInfo(&info); err != nil {
		return PathInfo{}, false, err
	}
	return info, true, nil
}

// isNotValid reports whether err is a daemon's error for a path that is
// not valid: daemons before 1.17 report it so, and Nix (even HEAD) maps any
// such message to "not valid".
func isNotValid(err error) bool {
	var re *RemoteError
	return errors.As(err, &re) && strings.Contains(re.Message, "is not valid")
}

// checkInfo checks that the paths in a reply are store paths.
func (c *Client) checkInfo(info *PathInfo) error {
	if info.Deriver != "" && c.checkPath("", info.Deriver) != nil {
		return protoErrorf("deriver is not a store path: %q", info.Deriver)
	}
	for _, r := range info.References {
		if c.checkPath("", r) != nil {
			return protoErrorf("reference is not a store path: %q", r)
		}
	}
	if info.NarHash == "" {
		return protoErrorf("empty narHash")
	}
	return nil
}
