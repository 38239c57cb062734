package daemon

import (
	"context"
	"errors"
	"fmt"
)

const opQueryDerivationOutputMap = 41 // protocol 1.22+

// QueryDerivationOutputMap returns the paths of the outputs of the
// derivation drvPath (a .drv in the store) as the store knows them, by
// output name; an output whose path the store does not know maps to "".
//
//	request: u64(41) str(drvPath)
//	reply:   u64(n), then n × str(output name) str(path or "")
//
// The reply is Nix's std::map<std::string, std::optional<StorePath>>: sorted
// by name, an absent path sent as "". Nix 2.8.0's daemon answers from its
// database (LocalStore::queryPartialDerivationOutputMap): the outputs
// recorded for the derivation, which are all of them for an input-addressed
// or fixed-output derivation that is valid, and, only when its own
// configuration enables the experimental feature ca-derivations, the
// realisations of floating content-addressed outputs. A daemon without
// ca-derivations answers a floating content-addressed derivation with an
// empty map, even after building it; with the feature, an output not yet
// built maps to "". A derivation that is not valid in the store gives a
// *RemoteError "path '…' is not valid".
//
// For example, for a two-output floating content-addressed derivation, once
// built, Nix 2.8.0's daemon sends after STDERR_LAST:
//
//	02 00 .. 00                                       2 outputs
//	03 00 .. 00 "dev" 00 × 5   42 00 .. 00 "/nix/store/f1mn…-nixsign-ca-rec4367-dev" 00 × 6
//	03 00 .. 00 "out" 00 × 5   3e 00 .. 00 "/nix/store/4cdf…-nixsign-ca-rec4367" 00 00
//
// The operation needs protocol 1.22 (Nix 2.4); with an older daemon
// QueryDerivationOutputMap sends nothing and returns an error wrapping
// errors.ErrUnsupported.
func (c *Client) QueryDerivationOutputMap(ctx context.Context, drvPath string) (map[string]string, error) {
	const name = "QueryDerivationOutputMap"
	if err := c.checkPath(name, drvPath); err != nil {
		return nil, err
	}
	if minor(c.version) < 22 {
		return nil, fmt.Errorf("nix-daemon %s: needs protocol 1.22 (Nix 2.4), the daemon speaks 1.%d: %w",
			name, minor(c.version), errors.ErrUnsupported)
	}
	var outputs map[string]string
	err := c.do(ctx, name, c.opts.Timeout, func() error {
		c.enc.u64(opQueryDerivationOutputMap)
		c.enc.str(drvPath)
		if err := c.request(); err != nil {
			return err
		}
		var err error
		outputs, err = c.readOutputMap()
		return err
	})
	if err != nil {
		return nil, err
	}
	return outputs, nil
}

// readOutputMap reads the reply to QueryDerivationOutputMap that follows
// STDERR_LAST. Every name must be an output name Nix could have made a path
// name from, once, and every path a store path or "".
func (c *Client) readOutputMap() (map[string]string, error) {
	d := &c.dec
	n := d.int("map size", maxListLen)
	if d.err != nil {
		return nil, d.err
	}
	outputs := make(map[string]string, min(n, 64))
	for range n {
		name := d.str()
		p := d.str()
		if d.err != nil {
			return nil, d.err
		}
		if !validOutputName(name) {
			return nil, protoErrorf("reply has the output name %q", name)
		}
		if _, dup := outputs[name]; dup {
			return nil, protoErrorf("reply has the output %q twice", name)
		}
		if p != "" && c.checkPath("", p) != nil {
			return nil, protoErrorf("reply gives output %q the path %q, which is not a store path", name, p)
		}
		outputs[name] = p
	}
	return outputs, nil
}

// validOutputName reports whether name can be an output's name: Nix puts
// it in the output's store path name ("<drv name>-<output>"), so it is 1 to
// 211 characters from those of store path names.
func validOutputName(name string) bool {
	const hashPart = nix32Alphabet // any 32 nix32 characters
	return name != "" && validBase(hashPart+"-"+name)
}
