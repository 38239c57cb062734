package store

// Push writes zstd and xz, and Verify reads compressed caches, in
// programs that import the codecs.
import _ "github.com/nixsign/nixsign/nix/cache/codecs"
