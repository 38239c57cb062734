package daemon

import (
	"fmt"
	"runtime"
)

const (
	workerMagic1 = 0x6e697863 // "cxin", sent by the client
	workerMagic2 = 0x6478696f // "oixd", the daemon's answer

	// ClientVersion is the protocol version this client offers: 1.38, the
	// newest that Nix defines. The connection uses the lower of it and the
	// daemon's version.
	ClientVersion = 1<<8 | 38
	// MinDaemonVersion is the oldest daemon protocol accepted: 1.21 (Nix 2.2).
	MinDaemonVersion = 1<<8 | 21
)

func minor(v int) int { return v & 0xff }

// The handshake (2.8.0 remote-store.cc openConnection, daemon.cc
// processConnection; HEAD worker-protocol-connection.cc):
//
//	client: u64(0x6e697863) u64(ClientVersion)
//	daemon: u64(0x6478696f) u64(daemonVersion)
//	client: if ≥1.38: strs(features)
//	        if ≥1.14: u64(0) (CPU affinity: none); if ≥1.11: u64(0) (reserveSpace)
//	daemon: if ≥1.38: strs(features)
//	        if ≥1.33: str(nixVersion); if ≥1.35: u64(trust 0|1|2)
//	        stderr messages up to STDERR_LAST
//
// where the versions compared are the negotiated min(daemon, client). The
// client's version does not depend on the daemon's, so it goes out with the
// magic, as newer Nix clients send it; everything the client sends after the
// daemon's version goes out in one write, together with SetOptions (see
// setOptions), since the daemon reads a connection's bytes in order and the
// client's features do not depend on the daemon's. That leaves two round
// trips: the first one waits for the daemon to start the process that serves
// the connection.

// greet sends the client's first message: the magic and its version.
func (c *Client) greet() error {
	c.enc.u64(workerMagic1)
	c.enc.u64(ClientVersion)
	return c.write()
}

// handshake reads the daemon's version and finishes the handshake, sending
// SetOptions, and the requests that early encodes (if not nil), along with
// the client's last handshake message. Their answers are left for later
// (SetOptions': see readPending).
func (c *Client) handshake(early func(e *encoder)) error {
	e, d := &c.enc, &c.dec
	if magic := d.u64(); d.err == nil && magic != workerMagic2 {
		return protoErrorf("not a Nix daemon (magic 0x%x, want 0x%x)", magic, workerMagic2)
	}
	v := d.u64()
	if d.err != nil {
		return d.err
	}
	if v>>8 != 1 {
		return protoErrorf("unsupported protocol version 0x%x (want major version 1)", v)
	}
	if v < MinDaemonVersion {
		return protoErrorf("daemon protocol 1.%d is too old (need 1.%d or newer)", v&0xff, minor(MinDaemonVersion))
	}
	c.version = min(int(v), ClientVersion)

	if minor(c.version) >= 38 {
		e.strs(nil) // the protocol features we support: none
	}
	if minor(c.version) >= 14 {
		e.u64(0) // obsolete CPU affinity: none
	}
	if minor(c.version) >= 11 {
		e.u64(0) // obsolete reserveSpace
	}
	c.encSetOptions()
	if early != nil {
		early(e)
	}
	if err := c.write(); err != nil {
		return err
	}
	c.pending++
	if minor(c.version) >= 38 {
		d.strs() // the daemon's; their intersection with ours is empty
	}
	if minor(c.version) >= 33 {
		c.nixVersion = d.str()
	}
	if minor(c.version) >= 35 {
		t := d.u64()
		if d.err == nil && t > 2 {
			return protoErrorf("invalid trust flag %d", t)
		}
		c.trust = Trust(t)
	}
	if d.err != nil {
		return d.err
	}
	return c.processStderr()
}

// Verbosity levels (libutil/logging.hh).
const (
	lvlError = 0
	lvlInfo  = 3
)

// encSetOptions encodes wopSetOptions with the values Nix 2.8.0's
// RemoteStore sends when nothing is configured (remote-store.cc setOptions),
// observed on the wire from `nix-store -q` with an empty environment:
//
//	u64(19) keepFailed=0 keepGoing=0 tryFallback=0 verbosity=3 (lvlInfo)
//	maxBuildJobs=1 maxSilentTime=0 useBuildHook=1 verboseBuild=0 (lvlError)
//	logType=0 printBuildTrace=0 buildCores=<CPUs> useSubstitutes=1
//	if ≥1.12: u64(#overrides)=0
//
// The daemon answers with stderr messages up to STDERR_LAST and no reply.
// Nix's client always sends it; a daemon serves a client that does not
// with its own settings, which include its own verbosity (the log lines it
// forwards), so this client sends it too, at no cost in round trips: it
// goes out with the end of the handshake, and its answer is read after the
// next request has been sent (see readPending).
func (c *Client) encSetOptions() {
	e := &c.enc
	e.u64(opSetOptions)
	e.bool(false)   // keepFailed
	e.bool(false)   // keepGoing
	e.bool(false)   // tryFallback
	e.u64(lvlInfo)  // verbosity: what the daemon forwards as log lines
	e.u64(1)        // maxBuildJobs
	e.u64(0)        // maxSilentTime
	e.bool(true)    // obsolete useBuildHook
	e.u64(lvlError) // verboseBuild (true) sends lvlError
	e.u64(0)        // obsolete logType
	e.u64(0)        // obsolete printBuildTrace
	e.u64(uint64(runtime.NumCPU()))
	e.bool(true) // useSubstitutes
	if minor(c.version) >= 12 {
		e.u64(0) // no overridden settings
	}
}

// readPending reads the answers to requests sent without waiting for them
// (SetOptions): stderr messages up to STDERR_LAST each. The daemon answers
// requests in order, so they come before the answer to any later request.
// A daemon that refused SetOptions leaves the connection out of step with
// what the client assumed, so that is not a *RemoteError.
func (c *Client) readPending() error {
	for c.pending > 0 {
		err := c.processStderr()
		if re, ok := err.(*RemoteError); ok {
			err = fmt.Errorf("the daemon refused SetOptions: %s", stripANSI(re.Message))
		}
		if err != nil {
			return err
		}
		c.pending--
	}
	return nil
}
