package cache_test

import (
	"github.com/nixsign/nixsign/nix/cache"
	"github.com/nixsign/nixsign/nix/store"
)

// A Cache is a store.Store. (The check is here, in the external test
// package, because package store builds on this one.)
var _ store.Store = (*cache.Cache)(nil)
