package drv_test

import (
	"errors"
	"fmt"
	"log"

	"github.com/nixsign/nixsign/nix/drv"
)

func ExampleParse() {
	text := `Derive([("dev","/nix/store/l5jifip347hnkb691a1ks3v6ig2vm67z-sigtest-a-dev","",""),` +
		`("out","/nix/store/qyg4k09x25qhai8v5zk0idkmv8mq4wwl-sigtest-a","","")],[],[],` +
		`"x86_64-linux","/bin/sh",["-c","echo > $out; echo > $dev"],` +
		`[("name","sigtest-a"),("weird","quote\" tab\t end")])`
	d, err := drv.Parse([]byte(text))
	if err != nil {
		log.Fatal(err)
	}
	for _, o := range d.Outputs {
		fmt.Println(o.Name, o.Path, o.Kind())
	}
	weird, _ := d.Getenv("weird")
	fmt.Printf("%q\n", weird)
	fmt.Println(d.String() == text)

	floating, err := drv.Parse([]byte(`Derive([("out","","r:sha256","")],[],[],"x86_64-linux","/bin/sh",[],[])`))
	if err != nil {
		log.Fatal(err)
	}
	_, err = floating.OutputPaths()
	fmt.Println(errors.Is(err, drv.ErrNoPath), err)
	// Output:
	// dev /nix/store/l5jifip347hnkb691a1ks3v6ig2vm67z-sigtest-a-dev input-addressed
	// out /nix/store/qyg4k09x25qhai8v5zk0idkmv8mq4wwl-sigtest-a input-addressed
	// "quote\" tab\t end"
	// true
	// true output path not known before the build: output "out" is floating content-addressed
}
