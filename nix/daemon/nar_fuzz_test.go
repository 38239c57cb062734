package daemon

import (
	"bytes"
	"io"
	"testing"

	"github.com/nixsign/nixsign/nix/nar"
)

// FuzzNarFromPathReply feeds arbitrary bytes as the daemon's answer to a
// NarFromPath: the client never panics or hangs, and what it accepts is a
// valid NAR, all of which it wrote, and nothing of what follows.
func FuzzNarFromPathReply(f *testing.F) {
	for _, b := range testNARs(f) {
		if len(b) < 4096 {
			f.Add([]byte(narReply(b)))
		}
	}
	hello := vectorNARs(f)["z45ailnkm27lnvhimqkhy08f6sh5m17d-hello.txt.nar"]
	f.Add([]byte(cat(wb{}.last(), wb(hello[:24]), wb{}.errorMsg("getting status of 'x': No such file or directory"))))
	f.Add([]byte(cat(narReply(hello), wb{}.last().u64(1))))
	f.Add([]byte(wb{}.errorMsg("boom")))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := New(ctx, memConn{io.MultiReader(bytes.NewReader(handshakeReply(34)), bytes.NewReader(data))}, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		var got bytes.Buffer
		n, err := c.NarFromPath(ctx, testPath, &got)
		if err != nil {
			if n != 0 {
				t.Fatalf("failed NarFromPath returned %d", n)
			}
			return
		}
		if n != int64(got.Len()) {
			t.Fatalf("NarFromPath returned %d, wrote %d bytes", n, got.Len())
		}
		if _, size, err := nar.Validate(bytes.NewReader(got.Bytes())); err != nil || size != n {
			t.Fatalf("accepted an invalid NAR: %v", err)
		}
	})
}
