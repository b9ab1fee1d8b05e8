//go:build unix

package cors_test

import (
	"net/http"
	"os"
	"runtime"
	"runtime/debug"
	"syscall"
	"testing"
	"unsafe"

	acrhscan "github.com/corskit/cors/internal/acrh"
)

// TestHostileHeaderBounded: a preflight with 1 MiB of commas or spaces in
// Access-Control-Request-Headers costs what a short header costs, because
// the middleware never looks past the first few bytes: the limits of
// internal/acrh refuse the header there. The proof counts bytes, not time:
// the header sits in memory of which only its first bytes can be read, so
// a single read past them (a scan of the whole value, a copy, a trim) is a
// fault, caught and reported with its offset.
func TestHostileHeaderBounded(t *testing.T) {
	m := mustNew(t, strict)
	ran := false
	h := m.Handler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { ran = true }))
	const origin = "https://app.example.com"
	for _, tc := range []struct {
		name     string
		fill     byte
		readable int // the bytes the limits let the scanner read
	}{
		{"commas", ',', acrhscan.MaxEmpty + 1},
		{"spaces", ' ', acrhscan.MaxOWS + 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := guardedString(t, tc.fill, tc.readable, 1<<20)
			r := newRequest("OPTIONS", "Origin", origin, acrm, "PUT", acrh, v)
			w := &discard{h: http.Header{}}
			if off, faulted := readsPast(v, func() { h.ServeHTTP(w, r) }); faulted {
				t.Fatalf("the middleware read the byte at offset %d of a 1 MiB header; its limits should stop it within the first %d", off, tc.readable)
			}
			if ran || len(w.h[acao]) != 0 {
				t.Errorf("the preflight was not refused: handler ran %v, headers %v", ran, w.h)
			}
		})
	}
}

// guardedString returns a string of n bytes of fill of which only the first
// readable can be read: the rest lies in pages mapped with no access, so
// reading it faults.
func guardedString(t *testing.T, fill byte, readable, n int) string {
	t.Helper()
	page := os.Getpagesize()
	head := (readable + page - 1) / page * page     // readable pages
	tail := (n - readable + page - 1) / page * page // guarded pages
	mem, err := syscall.Mmap(-1, 0, head+tail, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		t.Fatalf("mmap: %v", err)
	}
	t.Cleanup(func() { syscall.Munmap(mem) })
	for i := range mem {
		mem[i] = fill
	}
	if err := syscall.Mprotect(mem[head:], syscall.PROT_NONE); err != nil {
		t.Fatalf("mprotect: %v", err)
	}
	return unsafe.String(&mem[head-readable], n)
}

// readsPast runs f and reports whether it read memory it may not (a fault),
// and where in s, which guardedString returned.
func readsPast(s string, f func()) (offset uintptr, faulted bool) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		e := recover()
		if e == nil {
			return
		}
		a, ok := e.(interface{ Addr() uintptr })
		if !ok {
			panic(e)
		}
		offset, faulted = a.Addr()-uintptr(unsafe.Pointer(unsafe.StringData(s))), true
	}()
	f()
	runtime.KeepAlive(s)
	return 0, false
}
