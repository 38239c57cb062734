package store

import (
	"context"
	"fmt"
	"slices"

	"github.com/nixsign/nixsign/sign"
)

// Infos returns the info of each path, in order, or the first path's error.
// Queries are batched as PathInfos does.
func Infos(ctx context.Context, s Store, paths []string) ([]*sign.PathInfo, error) {
	infos, errs := PathInfos(ctx, s, paths)
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return infos, nil
}

// Closure returns the info of paths and of every path they refer to,
// directly or not, in an order where each path comes after all of its
// references (a self-reference aside), as `nix copy` sends them. The order
// is deterministic: a depth-first walk of the paths and their references in
// sorted order. The references are queried one level at a time, each level
// in one batch.
func Closure(ctx context.Context, s Store, paths []string) ([]*sign.PathInfo, error) {
	dir := s.Dir()
	byPath := make(map[string]*sign.PathInfo)
	frontier := slices.Clone(paths)
	for len(frontier) > 0 {
		slices.Sort(frontier)
		frontier = slices.Compact(frontier)
		infos, err := Infos(ctx, s, frontier)
		if err != nil {
			return nil, err
		}
		var next []string
		for i, info := range infos {
			byPath[frontier[i]] = info
		}
		for _, info := range infos {
			for _, r := range info.References {
				if rp := r.Abs(dir); byPath[rp] == nil {
					next = append(next, rp)
				}
			}
		}
		frontier = next
	}
	return TopoSort(dir, paths, byPath)
}

// TopoSort orders the closure in byPath that roots reach so that references
// come first. It fails on a cycle other than a self-reference, which a
// valid store cannot hold.
func TopoSort(dir string, roots []string, byPath map[string]*sign.PathInfo) ([]*sign.PathInfo, error) {
	const (
		unseen = iota
		active
		done
	)
	state := make(map[string]int, len(byPath))
	out := make([]*sign.PathInfo, 0, len(byPath))
	var visit func(p string) error
	visit = func(p string) error {
		switch state[p] {
		case done:
			return nil
		case active:
			return fmt.Errorf("path '%s' is part of a reference cycle", p)
		}
		info := byPath[p]
		if info == nil {
			return fmt.Errorf("path '%s': no path info", p)
		}
		state[p] = active
		refs := make([]string, 0, len(info.References))
		for _, r := range info.References {
			if rp := r.Abs(dir); rp != p {
				refs = append(refs, rp)
			}
		}
		slices.Sort(refs)
		for _, r := range refs {
			if err := visit(r); err != nil {
				return err
			}
		}
		state[p] = done
		out = append(out, info)
		return nil
	}
	sorted := slices.Clone(roots)
	slices.Sort(sorted)
	for _, p := range sorted {
		if err := visit(p); err != nil {
			return nil, err
		}
	}
	return out, nil
}
