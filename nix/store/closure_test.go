package store

import (
	"context"
	"strings"
	"testing"

	"github.com/nixsign/nixsign/sign"
)

func TestClosure(t *testing.T) {
	ctx := context.Background()
	for name, s := range map[string]Store{
		"files": NewFiles("/nix/store", vectorTree(t)),
		"mem":   newMemStore().addVectors(t),
	} {
		t.Run(name, func(t *testing.T) {
			dev := "/nix/store/l5jifip347hnkb691a1ks3v6ig2vm67z-sigtest-a-dev"
			infos, err := Closure(ctx, s, []string{dev})
			if err != nil {
				t.Fatal(err)
			}
			got := strings.Join(Paths(s.Dir(), infos), " ")
			want := strings.Join([]string{
				"/nix/store/hgl6cwhlhzpznapan2nfnls2nyyv4lqb-run.sh",
				"/nix/store/z45ailnkm27lnvhimqkhy08f6sh5m17d-hello.txt",
				"/nix/store/qyg4k09x25qhai8v5zk0idkmv8mq4wwl-sigtest-a",
				dev,
			}, " ")
			if got != want {
				t.Errorf("closure\n got %s\nwant %s", got, want)
			}
			if _, err := Closure(ctx, s, []string{dev, "/nix/store/00000000000000000000000000000000-x"}); err == nil {
				t.Error("a closure with an invalid path succeeded")
			}
		})
	}
}

// References come before referrers in any order of the roots, self
// references are ignored, and cycles are reported.
func TestTopoSort(t *testing.T) {
	m := newMemStore().addVectors(t)
	byPath := map[string]*sign.PathInfo{}
	for p, pi := range m.infos {
		byPath[p] = pi
	}
	self := byPath["/nix/store/hgl6cwhlhzpznapan2nfnls2nyyv4lqb-run.sh"]
	self.References = append(self.References, self.Path)
	var roots []string
	for p := range byPath {
		roots = append(roots, p)
	}
	out, err := TopoSort("/nix/store", roots, byPath)
	if err != nil {
		t.Fatal(err)
	}
	pos := map[string]int{}
	for i, pi := range out {
		pos[pi.Path.Abs("/nix/store")] = i
	}
	if len(out) != len(byPath) {
		t.Fatalf("got %d paths, want %d", len(out), len(byPath))
	}
	for _, pi := range out {
		for _, r := range pi.References {
			if r != pi.Path && pos[r.Abs("/nix/store")] > pos[pi.Path.Abs("/nix/store")] {
				t.Errorf("%s comes before its reference %s", pi.Path, r)
			}
		}
	}
	hello := byPath["/nix/store/z45ailnkm27lnvhimqkhy08f6sh5m17d-hello.txt"]
	hello.References = append(hello.References, byPath["/nix/store/qyg4k09x25qhai8v5zk0idkmv8mq4wwl-sigtest-a"].Path)
	if _, err := TopoSort("/nix/store", roots, byPath); err == nil || !strings.Contains(err.Error(), "cycle") {
		t.Errorf("cycle: %v", err)
	}
}
