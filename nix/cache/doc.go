// Package cache reads and writes Nix binary caches in a local directory,
// the file:///DIR stores of `nix copy --to file:///DIR`: it looks up path
// information and NARs for verifying, adds signatures, and adds paths the
// way `nix copy --to 'file:///DIR?compression=...&secret-key=...'` does.
//
// # Layout
//
// A cache directory holds, as Nix 2.8.0 writes it:
//
//	nix-cache-info                     "StoreDir: /nix/store\n": the store dir of its paths
//	<hash part>.narinfo                one per store path (package narinfo)
//	nar/<nix32 file hash>.nar<ext>     the path's NAR, compressed: ext .zst (zstd),
//	                                   .xz (xz), .bz2 (bzip2), none for "none"
//	realisations/, log/                created empty by `nix copy`; unused here
//
// For example, the path /nix/store/qyg4k09x25qhai8v5zk0idkmv8mq4wwl-sigtest-a,
// a 168-byte NAR with one reference, signed by two keys and stored without
// compression, is the file qyg4k09x25qhai8v5zk0idkmv8mq4wwl.narinfo
// (testdata/vectors/two-sigs.narinfo):
//
//	StorePath: /nix/store/qyg4k09x25qhai8v5zk0idkmv8mq4wwl-sigtest-a
//	URL: nar/1zdifhycixj3w2zz9g1kdgwl4r0p3gfks7n26vr7ablc2yc6cwkr.nar
//	Compression: none
//	FileHash: sha256:1zdifhycixj3w2zz9g1kdgwl4r0p3gfks7n26vr7ablc2yc6cwkr
//	FileSize: 168
//	NarHash: sha256:1zdifhycixj3w2zz9g1kdgwl4r0p3gfks7n26vr7ablc2yc6cwkr
//	NarSize: 168
//	References: z45ailnkm27lnvhimqkhy08f6sh5m17d-hello.txt
//	Deriver: 509vmzxssa8q7cbjzr7dban5scdp6693-sigtest-a.drv
//	Sig: gbck-1:xTfjGm2xdC3h1unSGqlF7xGecDE7SB1Va6LWU1Al1cAWwucPIiul8Sq24jYBfnMJWVtpcYxjKpszRKXGQPBcBw==
//	Sig: test-key-1:kLz1xZjqyqxZ6ZF5HcIuIkSA56mGBKPJhUV4RXv0S1H24saGksQp68YmZGseYvHESRPl8hohklSKW43uXU7IAA==
//
// and its NAR is nar/1zdifhycixj3w2zz9g1kdgwl4r0p3gfks7n26vr7ablc2yc6cwkr.nar.
// With compression none the file hash and size are the NAR's. Add writes
// exactly these bytes for this path, its NAR and its two signatures.
//
// # Compression
//
// Add writes zstd (at the level of Nix's, libzstd's level 3, without a
// content checksum, in independent 4 MiB frames compressed on every core),
// xz (an LZMA2 dictionary of 8 MiB at most, as liblzma's default preset 6)
// or none. Nix 2.8.0 reads both, but the compressed bytes are not Nix's, so
// the NAR file's name, FileHash and FileSize differ from what `nix copy`
// would write; the rest of the narinfo is the same. NAR reads xz, zstd,
// bzip2, gzip and none.
//
// This package implements none itself, and the others only in programs
// that import package nix/cache/codecs, which registers them (see
// RegisterCompressor): nixsign-hook, run after every build, links no
// compressor. Without codecs, Add and NAR fail before writing or reading
// anything, with "compression 'zstd': this binary was built without it".
//
// # Writing safely
//
// Every file is written under a temporary name in its directory (".…tmp"),
// synced and renamed into place, and a path's narinfo only after its NAR
// file: a reader sees a whole narinfo whose NAR exists, or nothing, and so
// does the cache after a crash. A failure (read-only directory, full disk,
// a NAR that does not match its path info) removes the temporary file and
// returns a one-line error naming the file or directory.
//
// # Reading safely
//
// NAR checks the compressed file against the narinfo's FileSize and
// FileHash and the NAR against NarSize and NarHash as they stream, and
// never writes more than NarSize bytes, whatever the file holds. A NAR
// that does not match is a *CorruptError; see it for how its cases map to
// the exit codes of `nix store verify`.
package cache
