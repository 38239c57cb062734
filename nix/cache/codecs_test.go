package cache

import "github.com/nixsign/nixsign/nix/cache/internal/codec"

// The tests of this package read and write every compression, as
// programs that import nix/cache/codecs do. (They cannot import it: it
// imports this package.)
func init() {
	for m, w := range codec.Writers {
		RegisterCompressor(Compression(m), w)
	}
	for m, r := range codec.Readers {
		RegisterDecompressor(Compression(m), r)
	}
}
