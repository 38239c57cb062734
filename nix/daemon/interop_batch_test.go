package daemon

import (
	"reflect"
	"strings"
	"testing"
)

// exerciseBatch checks the pipelined operations against the single ones.
func exerciseBatch(t *testing.T, c *Client, top, dep, missing string) {
	sig3, sig4 := randomSig(t), randomSig(t)
	errs, err := c.AddSignaturesMany(ctx, []string{top, dep}, [][]string{{sig3}, {sig4, sig3}})
	if err != nil || errs[0] != nil || errs[1] != nil {
		t.Fatalf("AddSignaturesMany = %v, %v", errs, err)
	}
	for p, sigs := range map[string][]string{top: {sig3}, dep: {sig3, sig4}} {
		out := runNix(t, "nix", "path-info", "--sigs", p)
		for _, s := range sigs {
			if !strings.Contains(out, s) {
				t.Errorf("nix path-info --sigs: %s\nmissing %s", out, s)
			}
		}
	}

	// A batch of a few thousand requests, more than the socket buffers
	// hold, answered in order.
	var paths []string
	for range 1500 {
		paths = append(paths, top, missing, dep)
	}
	replies, err := c.QueryPathInfos(ctx, paths)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]PathInfoReply{missing: {}}
	for _, p := range []string{top, dep} {
		info, ok, err := c.QueryPathInfo(ctx, p)
		if err != nil || !ok {
			t.Fatalf("QueryPathInfo(%s) = %v, %v", p, ok, err)
		}
		want[p] = PathInfoReply{Info: info, Valid: true}
	}
	for i, r := range replies {
		if !reflect.DeepEqual(r, want[paths[i]]) {
			t.Fatalf("QueryPathInfos: reply %d for %s:\n got %+v\nwant %+v", i, paths[i], r, want[paths[i]])
		}
	}
}

// In a batch, the paths before one that is not valid get their
// signatures, and Nix 2.8.0's crash on that one takes the rest of the
// batch with it.
func TestInteropAddSignaturesManyInvalidPath(t *testing.T) {
	requireNix(t)
	missing := "/nix/store/" + strings.Repeat("1", 32) + "-nixsign-not-there"
	c, _ := startStdio(t)
	top, dep := buildPaths(t)
	sig := randomSig(t)
	errs, err := c.AddSignaturesMany(ctx, []string{top, missing, dep}, [][]string{{sig}, {sig}, {sig}})
	if _, ok := isRemote(errs[1]); ok && err == nil {
		if errs[0] != nil || errs[2] != nil {
			t.Errorf("AddSignaturesMany = %v", errs)
		}
		t.Logf("this daemon refuses cleanly: %v", errs[1])
		return
	}
	if errs[0] != nil || errs[1] != err || errs[2] != err || !strings.Contains(err.Error(), "connection closed by the daemon") {
		t.Errorf("AddSignaturesMany = %v, %v", errs, err)
	}
	if out := runNix(t, "nix", "path-info", "--sigs", top); !strings.Contains(out, sig) {
		t.Errorf("the path before the crash lacks its signature: %s", out)
	}
}
