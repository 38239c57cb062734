package cache_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"log"
	"os"

	"github.com/nixsign/nixsign/nix/cache"
	"github.com/nixsign/nixsign/nix/hash"
	"github.com/nixsign/nixsign/nix/storepath"
	"github.com/nixsign/nixsign/sign"
	"github.com/nixsign/nixsign/sign/secretkey"
)

// Add a path to a new cache, signed, as `nix copy --to
// 'file:///DIR?compression=none&secret-key=secret.key'` would, then read
// its narinfo back. (The whole narinfo is the vector
// z45ailnkm27lnvhimqkhy08f6sh5m17d.narinfo, but for the xz file.)
func Example() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "cache-example-")
	defer os.RemoveAll(dir)
	c, err := cache.Open("file://"+dir, storepath.DefaultDir, true)
	if err != nil {
		log.Fatal(err)
	}

	// The NAR of /nix/store/z45ailnkm27lnvhimqkhy08f6sh5m17d-hello.txt
	// ("hello world\n"), from `nix-store --dump`.
	nar, _ := os.ReadFile("../../testdata/vectors/z45ailnkm27lnvhimqkhy08f6sh5m17d-hello.txt.nar")
	p, _ := storepath.ParseBase("z45ailnkm27lnvhimqkhy08f6sh5m17d-hello.txt")
	info := &sign.PathInfo{Path: p, NarHash: hash.SHA256Sum(sha256.Sum256(nar)), NarSize: uint64(len(nar))}
	info.CA, _ = storepath.ParseCA("fixed:r:" + info.NarHash.String())

	keyFile, _ := os.ReadFile("../../testdata/vectors/secret.key")
	key, err := secretkey.Parse(keyFile)
	if err != nil {
		log.Fatal(err)
	}
	fp, _ := info.Fingerprint(c.Dir())
	info.AddSigs(key.Sign(fp).String())

	if err := c.Add(ctx, cache.Entry{Info: info}, bytes.NewReader(nar), cache.None); err != nil {
		log.Fatal(err)
	}
	ni, err := c.NarInfo(ctx, "/nix/store/z45ailnkm27lnvhimqkhy08f6sh5m17d-hello.txt")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(ni.URL)
	fmt.Println(ni.FileHash, ni.FileSize)
	fmt.Println(ni.Sigs)
	// Output:
	// nar/00zns3gj9hwz2a4b0i07y7nmxybq59lh24bl3xsxblcl6333mjil.nar
	// sha256:00zns3gj9hwz2a4b0i07y7nmxybq59lh24bl3xsxblcl6333mjil 128
	// [test-key-1:vWs7t/wL9KqyOjL2cmwS+x85/+QJP/kzpvGle6gvPxaCZLAADixHoWwsBPH+/LSeDAeDfcm9/EFp8GZ29YHXDw==]
}
