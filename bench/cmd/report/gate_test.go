package main

import "testing"

// TestGateSection: make bench rewrites BENCHMARKS.md but keeps the section
// make gate-bench wrote at its end.
func TestGateSection(t *testing.T) {
	for _, tt := range []struct{ md, want string }{
		{"# Benchmarks\n\nold tables\n", ""},
		{"# Benchmarks\n\nold\n\n<!-- corsgate-bench:begin -->\n## corsgate\n| a |\n<!-- corsgate-bench:end -->\n",
			"<!-- corsgate-bench:begin -->\n## corsgate\n| a |\n<!-- corsgate-bench:end -->\n"},
	} {
		if got := gateSection(tt.md); got != tt.want {
			t.Errorf("gateSection(%q) = %q, want %q", tt.md, got, tt.want)
		}
	}
}
