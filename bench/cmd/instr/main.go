// Command instr serves one benchmark cell's request n times, so that
// callgrind can count the instructions the middleware executes:
//
//	instr -scenario preflight-allowed-1hdr -mw corskit -n 2200
//
// -mw is a library (see bench.Libs) or floor-unshared or floor-shared.
// run.sh runs it twice per cell, under valgrind --tool=callgrind with
// GOGC=off, with two values of n, and divides the difference in
// instructions by the difference in n: the program's start-up cancels out,
// and what is left is the cost of one request, the harness's map reset
// included (the same for every library; mw=none shows it). Unlike time on
// a shared machine, the count is the same from run to run within a few per
// cent (map hashes are seeded at random, which moves probe lengths); it
// leaves out the garbage collector, whose share B/op tells.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/corskit/cors/bench"
)

func main() {
	scenario := flag.String("scenario", "", "scenario name (see bench.Scenarios)")
	mw := flag.String("mw", "", "library name, floor-unshared or floor-shared")
	n := flag.Int("n", 1000, "requests to serve")
	flag.Parse()
	s, ok := bench.ScenarioByName(*scenario)
	if !ok {
		fmt.Fprintf(os.Stderr, "instr: no scenario %q\n", *scenario)
		os.Exit(2)
	}
	h, reason, ok := bench.Cell(s, *mw)
	switch {
	case !ok:
		fmt.Fprintf(os.Stderr, "instr: %q measures nothing in %s\n", *mw, s.Name)
		os.Exit(2)
	case reason != "":
		fmt.Fprintf(os.Stderr, "instr: %s: %s\n", *mw, reason)
		os.Exit(3)
	}
	req := s.Request()
	w := bench.NewWriter()
	for i := 0; i < *n; i++ {
		bench.Reset(&w)
		h.ServeHTTP(&w, req)
	}
}
