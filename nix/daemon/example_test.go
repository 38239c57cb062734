package daemon_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"

	"github.com/nixsign/nixsign/nix/daemon"
)

// Sign a path through the daemon, as `nix store sign` does: look it up, then
// add the signature.
func Example() {
	ctx := context.Background()
	c, err := daemon.Dial(ctx, daemon.DefaultSocketPath(os.Getenv), nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	p := "/nix/store/9zjm4h9dvnzac253lxdvyjb48ffqzvi0-daemon-exp-1"
	info, ok, err := c.QueryPathInfo(ctx, p)
	if err != nil {
		log.Fatal(err)
	}
	if !ok {
		log.Fatalf("%s is not valid", p)
	}
	fmt.Println(info.NarHash, info.NarSize, info.References)

	sig := "test-key-1:VjTVC1QeyzV6W2LUfsTo8naPHwNFtTEjKckjrSiRwqe5uInI4Mlx8j1WfJGXxBVcKlUmliiY04tHUIf9yKIsBQ=="
	var re *daemon.RemoteError
	if err := c.AddSignatures(ctx, p, []string{sig}); errors.As(err, &re) {
		// e.g. "nix-daemon: you are not privileged to add signatures"
		log.Fatal(re)
	} else if err != nil {
		log.Fatal(err)
	}
}
