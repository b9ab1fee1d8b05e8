package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
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
// when CORSDEMO_MAIN is set: that is how TestCommandLine sees main's exit
// status and output.
func TestMain(m *testing.M) {
	if os.Getenv("CORSDEMO_MAIN") == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// corsdemo -help prints every flag with its description and default, to
// stdout, and exits 0; a bad command line exits 2 with the problem and the
// usage on stderr, and starts nothing.
func TestCommandLine(t *testing.T) {
	flagLines := []string{
		"-api address\n",
		"listen address (host:port) of the API origin (default \"localhost:3000\")\n",
		"-client address\n",
		"listen address (host:port) of the client origin, the demo page; the API trusts exactly this origin (default \"localhost:8080\")\n",
	}
	tests := []struct {
		args       []string
		wantStatus int
		stdout     []string // in stdout; nil: stdout empty
		stderr     []string // in stderr; nil: stderr empty
	}{
		{[]string{"-help"}, 0, append([]string{"usage: corsdemo [-api host:port] [-client host:port]\n"}, flagLines...), nil},
		{[]string{"--help"}, 0, flagLines, nil},
		{[]string{"-h"}, 0, flagLines, nil},
		{[]string{"-nope"}, 2, nil, append([]string{"corsdemo: flag provided but not defined: -nope\n"}, flagLines...)},
		{[]string{"extra"}, 2, nil, append([]string{`corsdemo: unexpected arguments: ["extra"]`}, flagLines...)},
		{[]string{"-api"}, 2, nil, []string{"corsdemo: flag needs an argument: -api\n"}},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, os.Args[0], tc.args...)
			cmd.Env = append(os.Environ(), "CORSDEMO_MAIN=1")
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			status := 0
			var exit *exec.ExitError
			if errors.As(err, &exit) {
				status = exit.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			if status != tc.wantStatus {
				t.Errorf("exit status %d, want %d\nstdout:\n%s\nstderr:\n%s", status, tc.wantStatus, &stdout, &stderr)
			}
			for _, out := range []struct {
				name string
				got  string
				want []string
			}{{"stdout", stdout.String(), tc.stdout}, {"stderr", stderr.String(), tc.stderr}} {
				if out.want == nil && out.got != "" {
					t.Errorf("%s: %q, want nothing", out.name, out.got)
				}
				for _, w := range out.want {
					if !strings.Contains(out.got, w) {
						t.Errorf("%s lacks %q:\n%s", out.name, w, out.got)
					}
				}
			}
		})
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

func TestRunFlags(t *testing.T) {
	ctx := context.Background()
	if err := run(ctx, []string{"-nope"}, io.Discard, io.Discard); err == nil {
		t.Error("an unknown flag: no error")
	}
	if err := run(ctx, []string{"extra"}, io.Discard, io.Discard); err == nil {
		t.Error("an argument: no error")
	}
	if err := run(ctx, []string{"-api", "256.0.0.1:1"}, io.Discard, io.Discard); err == nil {
		t.Error("a bad address: no error")
	}
}
