// Package codecs provides the compressed NAR files of Nix binary caches:
// importing it, as
//
//	import _ "github.com/nixsign/nixsign/nix/cache/codecs"
//
// registers with package cache the narinfo Compression values
//
//	zstd   written by cache.Add (Zstd) and read by Cache.NAR, as nar/<file hash>.nar.zst
//	xz     written by cache.Add (XZ) and read by Cache.NAR, as nar/<file hash>.nar.xz
//	bzip2  read by Cache.NAR, as nar/<file hash>.nar.bz2 (a narinfo without Compression)
//	gzip   read by Cache.NAR
//
// Package cache itself knows only "none", so that a program that never
// compresses (nixsign-hook, which hands push_to over to nixsign) does not
// link the compressors nor pay for their initialisation. For example, Add
// of /nix/store/z45ailnkm27lnvhimqkhy08f6sh5m17d-hello.txt (a 128-byte
// NAR, testdata/vectors) with Zstd writes a narinfo that says
//
//	URL: nar/0v2n8zh6r1ll4wb7v1mhaqq7wgwcb1np53l0d2salngvcwfr6hk3.nar.zst
//	Compression: zstd
//	FileHash: sha256:0v2n8zh6r1ll4wb7v1mhaqq7wgwcb1np53l0d2salngvcwfr6hk3
//	FileSize: 97
//
// and NAR reads it back. Without this package both fail with "compression
// 'zstd': this binary was built without it (...)".
package codecs

import (
	"github.com/nixsign/nixsign/nix/cache"
	"github.com/nixsign/nixsign/nix/cache/internal/codec"
)

func init() {
	for m, w := range codec.Writers {
		cache.RegisterCompressor(cache.Compression(m), w)
	}
	for m, r := range codec.Readers {
		cache.RegisterDecompressor(cache.Compression(m), r)
	}
}
