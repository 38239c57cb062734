package daemon

import (
	"context"
	"fmt"
	"path"
	"slices"
	"strings"
)

// Operation codes (2.8.0 worker-protocol.hh; unchanged in HEAD).
const (
	opIsValidPath           = 1
	opSetOptions            = 19
	opQueryPathInfo         = 26
	opQueryPathFromHashPart = 29
	opQueryValidPaths       = 31
	opAddSignatures         = 37
)

// IsValidPath reports whether p is a valid path in the store.
//
//	request: u64(1) str(path)   reply: u64(0|1)
func (c *Client) IsValidPath(ctx context.Context, p string) (bool, error) {
	if err := c.checkPath("IsValidPath", p); err != nil {
		return false, err
	}
	var valid bool
	err := c.do(ctx, "IsValidPath", c.opts.Timeout, func() error {
		c.enc.u64(opIsValidPath)
		c.enc.str(p)
		if err := c.request(); err != nil {
			return err
		}
		valid = c.dec.bool()
		return c.dec.err
	})
	return valid, err
}

// QueryValidPaths returns the paths among ps that are valid. With substitute,
// a daemon at protocol 1.27 or newer first tries to substitute missing paths.
//
//	request: u64(31) strs(paths) if ≥1.27: u64(substitute)   reply: strs(valid)
func (c *Client) QueryValidPaths(ctx context.Context, ps []string, substitute bool) ([]string, error) {
	for _, p := range ps {
		if err := c.checkPath("QueryValidPaths", p); err != nil {
			return nil, err
		}
	}
	var valid []string
	err := c.do(ctx, "QueryValidPaths", c.opts.Timeout, func() error {
		c.enc.u64(opQueryValidPaths)
		c.enc.strs(sortedSet(ps))
		if minor(c.version) >= 27 {
			c.enc.bool(substitute)
		}
		if err := c.request(); err != nil {
			return err
		}
		valid = c.dec.strs()
		if c.dec.err != nil {
			return c.dec.err
		}
		for _, v := range valid {
			if err := c.checkPath("", v); err != nil {
				return protoErrorf("reply lists %q", v)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return valid, nil
}

// AddSignatures adds sigs to the signatures of p. The daemon does not verify
// them; it takes the union with those already there. A daemon refuses this
// to a client that is not in trusted-users, with a *RemoteError "you are not
// privileged to add signatures".
//
// Check first that p is valid, as `nix store sign` does: the worker of Nix
// 2.8.0's daemon crashes on a path that is not (a null dereference in
// LocalStore::addSignatures), and the connection is lost.
//
//	request: u64(37) str(path) strs(sigs)   reply: u64(1)
func (c *Client) AddSignatures(ctx context.Context, p string, sigs []string) error {
	if err := c.checkPath("AddSignatures", p); err != nil {
		return err
	}
	return c.do(ctx, "AddSignatures", c.opts.Timeout, func() error {
		encAddSignatures(&c.enc, p, sigs)
		if err := c.request(); err != nil {
			return err
		}
		c.dec.u64() // always 1; Nix ignores it
		return c.dec.err
	})
}

func encAddSignatures(e *encoder, p string, sigs []string) {
	e.u64(opAddSignatures)
	e.str(p)
	e.strs(sortedSet(sigs))
}

// QueryPathFromHashPart returns the valid store path whose hash part (the 32
// characters after the store directory) is hashPart, or "" if there is none.
//
//	request: u64(29) str(hashPart)   reply: str(path or "")
func (c *Client) QueryPathFromHashPart(ctx context.Context, hashPart string) (string, error) {
	if !isHashPart(hashPart) {
		return "", fmt.Errorf("nix-daemon QueryPathFromHashPart: %q is not a store path hash", hashPart)
	}
	var p string
	err := c.do(ctx, "QueryPathFromHashPart", c.opts.Timeout, func() error {
		c.enc.u64(opQueryPathFromHashPart)
		c.enc.str(hashPart)
		if err := c.request(); err != nil {
			return err
		}
		p = c.dec.str()
		if c.dec.err != nil {
			return c.dec.err
		}
		if p != "" && c.checkPath("", p) != nil {
			return protoErrorf("reply is not a store path: %q", p)
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	return p, nil
}

// request sends the encoded request and reads the answers still pending
// from earlier requests, then the stderr messages that precede the reply.
func (c *Client) request() error {
	if err := c.write(); err != nil {
		return err
	}
	if err := c.readPending(); err != nil {
		return err
	}
	return c.processStderr()
}

// checkPath checks that p is storeDir/<32 nix32 chars>-<name> as Nix's
// parseStorePath requires: the daemon answers anything else with an error
// and then closes the connection.
func (c *Client) checkPath(op, p string) error {
	dir, base := path.Split(p)
	if dir != c.opts.StoreDir+"/" || !validBase(base) {
		return fmt.Errorf("nix-daemon %s: %q is not a path in the store %q", op, p, c.opts.StoreDir)
	}
	return nil
}

// validBase reports whether base is a valid store path base name (2.8.0
// path.cc): a nix32 hash of 32 characters, '-', and a name of 1 to 211
// characters from [0-9a-zA-Z+-._?=].
func validBase(base string) bool {
	if len(base) < 34 || base[32] != '-' || !isHashPart(base[:32]) {
		return false
	}
	name := base[33:]
	if len(name) > 211 {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || strings.IndexByte("+-._?=", c) >= 0) {
			return false
		}
	}
	return true
}

func isHashPart(s string) bool {
	if len(s) != 32 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if strings.IndexByte(nix32Alphabet, s[i]) < 0 {
			return false
		}
	}
	return true
}

const nix32Alphabet = "0123456789abcdfghijklmnpqrsvwxyz"

// sortedSet returns ss sorted and without duplicates, as Nix's std::set sends
// it (ss itself when it already is).
func sortedSet(ss []string) []string {
	if isStrictlySorted(ss) {
		return ss
	}
	out := slices.Clone(ss)
	slices.Sort(out)
	return slices.Compact(out)
}

func isStrictlySorted(ss []string) bool {
	for i := 1; i < len(ss); i++ {
		if ss[i-1] >= ss[i] {
			return false
		}
	}
	return true
}
