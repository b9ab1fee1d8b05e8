package main

import (
	"testing"

	"github.com/corskit/cors/internal/readme"
)

// The README's quick start is this program, byte for byte, and each curl
// command it shows prints what it shows when run against this handler.
func TestReadme(t *testing.T) {
	readme.Check(t, "../../README.md", "## Quick start", "main.go", newHandler(), "http://localhost:8000")
}
