package main

import (
	"testing"

	"github.com/corskit/cors/internal/readme"
)

// The README's chi example is this program, byte for byte, and each curl
// command it shows prints what it shows when run against this router.
func TestReadme(t *testing.T) {
	readme.Check(t, "../../README.md", "## Quick start with chi", "main.go", newRouter(), "http://localhost:8001")
}
