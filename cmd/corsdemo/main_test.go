package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/corskit/cors/internal/demo"
)

// TestMain runs the real main, with the command line the test binary got,
// when CORSDEMO_MAIN is set: that is how TestMainExitStatus sees main's
// exit status and output.
func TestMain(m *testing.M) {
	if os.Getenv("CORSDEMO_MAIN") == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// corsdemo -help prints every flag with its description and default, to
// stdout, and exits 0; a bad command line exits 2 with one line on stderr
// that says what is wrong, with which flag, and what to write instead, and
// starts nothing; a port another program holds exits 1, naming the flag.
func TestCommandLine(t *testing.T) {
	flagLines := []string{
		"-api address\n",
		"listen address (host:port) of the API origin (default \"localhost:3000\")\n",
		"-client address\n",
		"listen address (host:port) of the client origin, the demo page; the API trusts exactly this origin (default \"localhost:8080\")\n",
	}
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	busyAddr := busy.Addr().String()
	busyPort := busy.Addr().(*net.TCPAddr).Port
	tests := []struct {
		args       []string
		wantStatus int
		stdout     []string // in stdout; nil: stdout empty
		stderr     string   // all of stderr if it ends in "\n", else its start; "": stderr empty
	}{
		{[]string{"-help"}, 0, append([]string{"usage: corsdemo [-api host:port] [-client host:port]\n"}, flagLines...), ""},
		{[]string{"--help"}, 0, flagLines, ""},
		{[]string{"-h"}, 0, flagLines, ""},
		{[]string{"-nope"}, 2, nil, "corsdemo: unknown flag -nope: the flags are -api and -client (corsdemo -help)\n"},
		{[]string{"extra"}, 2, nil, `corsdemo: unexpected argument "extra": corsdemo takes flags only, e.g. corsdemo -api localhost:4000 -client localhost:9000 (corsdemo -help)` + "\n"},
		{[]string{"-api"}, 2, nil, "corsdemo: -api needs an address: write -api host:port, e.g. -api localhost:3000\n"},
		{[]string{"-client"}, 2, nil, "corsdemo: -client needs an address: write -client host:port, e.g. -client localhost:8080\n"},
		{[]string{"-api", "4000"}, 2, nil, "corsdemo: -api 4000: a port alone is not an address: write -api localhost:4000 (or -api :4000 to listen on every interface)\n"},
		{[]string{"-client", "localhost"}, 2, nil, "corsdemo: -client localhost: write host:port, e.g. -client localhost:8080\n"},
		{[]string{"-api", "localhost:99999"}, 2, nil, "corsdemo: -api localhost:99999: the port must be a number from 1 to 65535 (0 takes any free port), e.g. -api localhost:3000\n"},
		{[]string{"-api", "localhost:http"}, 2, nil, "corsdemo: -api localhost:http: the port must be a number from 1 to 65535 (0 takes any free port), e.g. -api localhost:3000\n"},
		{[]string{"-api", "256.0.0.1:4000"}, 2, nil, "corsdemo: -api 256.0.0.1:4000: cannot listen there ("},
		{[]string{"-api", busyAddr}, 1, nil, fmt.Sprintf("corsdemo: -api %s: the port is in use by another program (another corsdemo?): stop it, or choose another port, e.g. -api 127.0.0.1:%d\n", busyAddr, busyPort+1)},
		{[]string{"-api", "127.0.0.1:0", "-client", busyAddr}, 1, nil, fmt.Sprintf("corsdemo: -client %s: the port is in use by another program", busyAddr)},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			status := report(run(context.Background(), tc.args, &stdout, &stderr), &stderr)
			if status != tc.wantStatus {
				t.Errorf("exit status %d, want %d\nstdout:\n%s\nstderr:\n%s", status, tc.wantStatus, &stdout, &stderr)
			}
			if tc.stdout == nil && stdout.Len() > 0 {
				t.Errorf("stdout: %q, want nothing", &stdout)
			}
			for _, w := range tc.stdout {
				if !strings.Contains(stdout.String(), w) {
					t.Errorf("stdout lacks %q:\n%s", w, &stdout)
				}
			}
			got := stderr.String()
			if strings.HasSuffix(tc.stderr, "\n") && got != tc.stderr || !strings.HasPrefix(got, tc.stderr) || strings.Count(got, "\n") > 1 {
				t.Errorf("stderr:\n got: %q\nwant: %q", got, tc.stderr)
			}
		})
	}
}

// TestMainExitStatus: the program itself exits as report says, with its
// line on stderr.
func TestMainExitStatus(t *testing.T) {
	for _, tc := range []struct {
		args   []string
		status int
		stderr string
	}{
		{[]string{"-help"}, 0, ""},
		{[]string{"-api", "4000"}, 2, "corsdemo: -api 4000: a port alone is not an address"},
	} {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute) // a liveness bound
		cmd := exec.CommandContext(ctx, os.Args[0], tc.args...)
		cmd.Env = append(os.Environ(), "CORSDEMO_MAIN=1")
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		err := cmd.Run()
		cancel()
		status := 0
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			status = exit.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		if status != tc.status || !strings.HasPrefix(stderr.String(), tc.stderr) || tc.stderr == "" && stderr.Len() > 0 {
			t.Errorf("corsdemo %q: exit %d, stderr %q; want %d, %q", tc.args, status, &stderr, tc.status, tc.stderr)
		}
	}
}

func TestOriginOf(t *testing.T) {
	tcp := func(port int) net.Addr { return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: port} }
	tests := []struct {
		addr  string
		bound net.Addr
		want  string
	}{
		{"localhost:3000", tcp(3000), "http://localhost:3000"},
		{":8080", tcp(8080), "http://localhost:8080"},
		{"0.0.0.0:8080", tcp(8080), "http://localhost:8080"},
		{"[::]:8080", tcp(8080), "http://localhost:8080"},
		{"127.0.0.1:0", tcp(41234), "http://127.0.0.1:41234"},
		{"LocalHost:3000", tcp(3000), "http://localhost:3000"},
		{"[::1]:3000", &net.TCPAddr{IP: net.IPv6loopback, Port: 3000}, "http://[::1]:3000"},
		{"localhost:80", tcp(80), "http://localhost"},
		{"[::1]:80", &net.TCPAddr{IP: net.IPv6loopback, Port: 80}, "http://[::1]"},
		{"[0:0:0:0:0:0:0:1]:3000", &net.TCPAddr{IP: net.IPv6loopback, Port: 3000}, "http://[::1]:3000"},
	}
	for _, tc := range tests {
		if got := originOf(tc.addr, tc.bound); got != tc.want {
			t.Errorf("originOf(%q, %v) = %q, want %q", tc.addr, tc.bound, got, tc.want)
		}
	}
}

// run starts both origins, prints their URLs, serves, and stops cleanly
// when its context ends.
func TestRun(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	outR, outW := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-api", "127.0.0.1:0", "-client", "127.0.0.1:0"}, outW, io.Discard)
		outW.Close()
	}()

	urls := map[string]string{}
	sc := bufio.NewScanner(outR)
	for sc.Scan() && len(urls) < 2 {
		f := strings.Fields(sc.Text())
		if len(f) >= 2 && (f[0] == "API" || f[0] == "client") {
			urls[f[0]] = f[1]
		}
	}
	if len(urls) != 2 {
		t.Fatalf("URLs printed: %v", urls)
	}
	go io.Copy(io.Discard, outR)

	get := func(url string, origin string) *http.Response {
		t.Helper()
		req, _ := http.NewRequest("GET", url, nil)
		if origin != "" {
			req.Header.Set("Origin", origin)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res
	}
	if res := get(urls["client"]+"/", ""); res.StatusCode != 200 {
		t.Errorf("client page: %d", res.StatusCode)
	}
	// The API trusts the client origin exactly as printed.
	res := get(urls["API"]+"/products/1", urls["client"])
	if got := res.Header.Get("Access-Control-Allow-Origin"); got != urls["client"] {
		t.Errorf("Access-Control-Allow-Origin = %q, want %q", got, urls["client"])
	}
	// The client origin's checker probes that API, from that origin.
	res, err := http.Get(urls["client"] + "/explain?call=products")
	if err != nil {
		t.Fatal(err)
	}
	var ex demo.Explained
	err = json.NewDecoder(res.Body).Decode(&ex)
	res.Body.Close()
	if err != nil || res.StatusCode != 200 || ex.Fetch == nil || !ex.Fetch.Allowed || ex.Fetch.InitialURL != urls["API"]+"/products/1" {
		t.Errorf("/explain?call=products: %d, %v, %+v", res.StatusCode, err, ex.Fetch)
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("run: %v", err)
		}
	case <-time.After(shutdownTimeout + time.Second):
		t.Fatal("run did not return after its context ended")
	}
}

// TestListenSameAddress: -client at -api's address is named as such, not
// as a port some other program holds.
func TestListenSameAddress(t *testing.T) {
	api, err := listen("api", "127.0.0.1:0", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer api.Close()
	addr := api.Addr().String()
	ln, err := listen("client", addr, api)
	if err == nil {
		ln.Close()
		t.Fatalf("-client %s: listening twice on one address: no error", addr)
	}
	want := "-client " + addr + ": -api listens there already; the API and the client are two origins and need two ports, e.g. -client localhost:8080"
	if err.Error() != want {
		t.Errorf("error:\n got: %s\nwant: %s", err, want)
	}
	if !errors.As(err, new(usageError)) {
		t.Errorf("%v is not a usage error (exit 2)", err)
	}
}
