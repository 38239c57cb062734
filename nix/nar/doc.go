// Package nar reads and writes Nix Archives (NAR), the serialisation of a
// file system object that Nix hashes (narHash, narSize), signs and ships to
// binary caches. Dump writes exactly the bytes of `nix-store --dump`.
//
// # Format
//
// Every item, tokens included, is a string: its length as a little-endian
// uint64, its bytes, then zero bytes up to a multiple of 8.
//
//	nar  = str("nix-archive-1") node
//	node = str("(") str("type") body str(")")
//	body = str("regular") [str("executable") str("")] str("contents") str(bytes)
//	     | str("symlink") str("target") str(target)
//	     | str("directory") { str("entry") str("(") str("name") str(name) str("node") node str(")") }
//
// Directory entries are sorted by the raw bytes of their names ("B" <
// "README" < "a" < "aa"); a file is executable when its owner-exec bit is
// set; symlink targets are stored verbatim. No other metadata is recorded.
// The root may be a file, a symlink or a directory.
//
// # Example
//
// The file hello.txt containing "hello world\n" is the 128-byte NAR of
// /nix/store/z45ailnkm27lnvhimqkhy08f6sh5m17d-hello.txt, whose narHash is
// sha256:00zns3gj9hwz2a4b0i07y7nmxybq59lh24bl3xsxblcl6333mjil:
//
//	00000000: 0d00 0000 0000 0000 6e69 782d 6172 6368  ........nix-arch
//	00000010: 6976 652d 3100 0000 0100 0000 0000 0000  ive-1...........
//	00000020: 2800 0000 0000 0000 0400 0000 0000 0000  (...............
//	00000030: 7479 7065 0000 0000 0700 0000 0000 0000  type............
//	00000040: 7265 6775 6c61 7200 0800 0000 0000 0000  regular.........
//	00000050: 636f 6e74 656e 7473 0c00 0000 0000 0000  contents........
//	00000060: 6865 6c6c 6f20 776f 726c 640a 0000 0000  hello world.....
//	00000070: 0100 0000 0000 0000 2900 0000 0000 0000  ........).......
//
// Made executable, the same file gets str("executable") str("") before
// "contents" (168 bytes).
//
// # Reading
//
// [Reader] is strict, as Nix 2.25 and later are and Nix 2.8.0 is not: it
// rejects unsorted and duplicate entries and trailing bytes, which 2.8.0
// accepts. Errors carry the byte offset and Nix's wording, e.g.
// "nar: offset 136: bad archive: NAR directory is not sorted".
package nar
