package floxconf_test

import (
	"fmt"

	"github.com/nixsign/nixsign/conf/floxconf"
)

func ExampleSet() {
	src := []byte("# my flox settings\ndisable_metrics = true\n")
	out, err := floxconf.Set(src, "/home/u/.config/flox/signing.sec")
	if err != nil {
		panic(err)
	}
	fmt.Print(string(out))
	// Output:
	// # my flox settings
	// disable_metrics = true
	//
	// [publish]
	// signing_private_key = "/home/u/.config/flox/signing.sec"
}

func ExampleValidate() {
	src := floxconf.Source{File: "/home/u/.config/flox/flox.toml", Line: 4}
	_, err := floxconf.Validate("keys/signing.sec", src)
	fmt.Println(err)
	// Output:
	// /home/u/.config/flox/flox.toml:4: publish.signing_private_key: relative path "keys/signing.sec": flox resolves it against the directory `flox publish` runs in; use an absolute path such as /path/to/signing.sec
}
