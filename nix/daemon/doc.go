// Package daemon is a client for the Nix worker protocol, the protocol of
// nix-daemon. The same client serves three transports: the daemon's Unix
// socket (Dial), the pipes of `nix-daemon --stdio` (StartStdio), which serves
// the local store when run by its owner, and any command that runs it
// remotely (StartCommand, e.g. over ssh).
//
// # Framing
//
// Every value is a u64, little-endian, or a string: its length as a u64, its
// bytes, and zero bytes up to a multiple of 8. A list of strings is a u64
// count followed by the strings. Booleans are u64 0 or 1. The reader refuses
// strings over 64 MiB and lists over 2^20 elements without allocating them.
//
// # Handshake
//
// Observed between Nix 2.8.0's client and daemon (protocol 1.34 = 0x122):
//
//	client  63 78 69 6e 00 00 00 00                  magic "cxin" (0x6e697863)
//	daemon  6f 69 78 64 00 00 00 00                  magic "oixd" (0x6478696f)
//	        22 01 00 00 00 00 00 00                  daemon version 0x122
//	client  22 01 00 00 00 00 00 00                  client version
//	        00 00 00 00 00 00 00 00                  CPU affinity: none
//	        00 00 00 00 00 00 00 00                  reserveSpace: no
//	daemon  05 00 00 00 00 00 00 00 "2.8.0" 00 00 00 Nix version (1.33+)
//	        73 74 6c 61 00 00 00 00                  STDERR_LAST
//
// This client offers 1.38 and uses min(daemon, 1.38); it accepts daemons from
// 1.21 on. From 1.35 the daemon sends after its Nix version whether it trusts
// the client (u64 0 unknown, 1 trusted, 2 not trusted); from 1.38 both sides
// exchange a list of protocol features right after the versions (this client
// offers none). New then sends SetOptions with Nix's defaults, as Nix does.
//
// This client sends the same bytes in fewer writes, two round trips in all:
// its version with the magic (as newer Nix clients do), and everything after
// the daemon's version in one write, SetOptions included; the answer to
// SetOptions is read after the next request has gone out. StartDial sends
// the first write and returns, so that the daemon starts the process that
// serves the connection (Nix 2.8.0 forks and opens its database, several
// milliseconds) while the caller does other work.
//
// # Requests
//
// A request is u64(op) and its arguments. The daemon answers with log
// messages (STDERR_NEXT, activities) and then either STDERR_LAST and the reply,
// or STDERR_ERROR and an error, which is returned as a *RemoteError. For
// example AddSignatures, as Nix 2.8.0 sends it:
//
//	client  25 00 .. 00                              op 37
//	        38 00 .. 00 "/nix/store/9zjm…-daemon-exp-1"
//	        01 00 .. 00  63 00 .. 00 "test-key-1:VjTV…Q==" 00 × 5
//	daemon  73 74 6c 61 00 00 00 00                  STDERR_LAST
//	        01 00 .. 00                              1
//
// and for a client that is not in trusted-users (protocol 1.26+ error):
//
//	daemon  70 74 78 63 00 00 00 00                  STDERR_ERROR
//	        05 00 .. 00 "Error" 00 00 00             type
//	        00 00 .. 00                              level 0
//	        05 00 .. 00 "Error" 00 00 00             name
//	        28 00 .. 00 "you are not privileged to add signatures"
//	        00 00 .. 00                              no position
//	        00 00 .. 00                              no traces
//
// # Pipelining
//
// The daemon (2.8.0 daemon.cc, processConnection) serves one request at a
// time: it answers a request in full, and flushes, before it starts on the
// next one, which may already wait in its buffer. QueryPathInfos and
// AddSignaturesMany use this to send a whole batch of requests without
// waiting, from a writer goroutine, while the replies are read in order:
// the daemon works through the batch back to back, without a round trip
// between requests. A STDERR_ERROR answers one request only; the daemon
// goes on with the next.
//
// # Time limits
//
// Each operation has a time limit (Options.Timeout); a daemon that stops
// answering makes it fail with an error wrapping os.ErrDeadlineExceeded.
// In a pipelined batch the limit restarts with each reply.
package daemon
