package main

import (
	"os"
	"strings"
	"testing"
)

// BENCHMARKS.md is the report's output; its notes on corskit's request path
// are the ones the report writes, so that a hand edit of either shows.
func TestBenchmarksHasPathNotes(t *testing.T) {
	md, err := os.ReadFile("../../../BENCHMARKS.md")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(md), "\n"+pathNotes+"\n## Appendix: benchstat") {
		t.Error("BENCHMARKS.md lacks the report's notes on the request path (pathNotes) before the appendix: rerun make bench, or copy them")
	}
}
