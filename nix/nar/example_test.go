package nar_test

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"

	"github.com/nixsign/nixsign/nix/nar"
)

func ExampleHash() {
	dir, err := os.MkdirTemp("", "nar-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	p := filepath.Join(dir, "hello.txt")
	if err := os.WriteFile(p, []byte("hello world\n"), 0o644); err != nil {
		log.Fatal(err)
	}
	digest, size, err := nar.Hash(p)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("narHash %x\nnarSize %d\n", digest, size)
	// Output:
	// narHash 34ca3ac63094d1d5751f741101692a78f95eedf10744b088129fc324dfd0f603
	// narSize 128
}

func ExampleWriter() {
	h := sha256.New()
	w := nar.NewWriter(h)
	contents := "#!/bin/sh\necho hi\n"
	w.WriteHeader(&nar.Header{Path: "/", Type: nar.TypeRegular, Size: int64(len(contents)), Executable: true})
	io.WriteString(w, contents)
	if err := w.Close(); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%x\n", h.Sum(nil))
	// Output:
	// 5e0accf02cedede5e4119ffa15e79e79a5fb1fb9bc43c3d434f33227a14477a0
}

func ExampleReader() {
	b, err := os.ReadFile("../../testdata/vectors/qssajlsn08fl1fnnwyn2b7qz8whkka6k-tree.nar")
	if err != nil {
		log.Fatal(err)
	}
	r := nar.NewReader(bytes.NewReader(b))
	for {
		h, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			log.Fatal(err)
		}
		switch h.Type {
		case nar.TypeRegular:
			fmt.Println(h.Path, h.Size, h.Executable)
		case nar.TypeSymlink:
			fmt.Println(h.Path, "->", h.LinkTarget)
		default:
			fmt.Println(h.Path, "directory")
		}
	}
	// Output:
	// / directory
	// /B 1 false
	// /README 4 false
	// /a directory
	// /a/b directory
	// /a/b/c directory
	// /a/b/c/deep.txt 52 false
	// /a/emptydir directory
	// /a/tool 17 true
	// /aa 2 false
	// /empty 0 false
	// /link -> a/b/c/deep.txt
	// /z directory
	// /z/up -> ../README
}
