// Command corsdemo shows CORS at work in a real browser. It starts two
// origins on this machine: an API (default localhost:3000) whose routes
// mirror the Express article the corskit project began from, and a client
// page (default localhost:8080) whose buttons call the API with fetch and
// XMLHttpRequest and show which calls the browser lets the page read, and
// why the others are blocked: for each call the client origin runs the
// checker (check.Explain, corscheck's engine) against the live API. A second
// table loads what the article says needs CORS besides fetch and XHR — a Web
// Font, ES modules, images read back from a canvas or WebGL — and what does
// not (images, classic scripts and stylesheets), from an asset route without
// a CORS policy and from one with.
//
//	go run ./cmd/corsdemo
//	go run ./cmd/corsdemo -api localhost:4000 -client localhost:9000
//
// Open the client URL it prints. The API trusts exactly that origin, so
// http://127.0.0.1:8080 is not the same page as http://localhost:8080 as far
// as CORS is concerned (the page says so, and links the right URL, when it
// is opened under another name). Ctrl-C stops both servers. corsdemo -help
// lists the flags.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/corskit/cors/internal/demo"
	"github.com/corskit/cors/internal/fetch"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := report(run(ctx, os.Args[1:], os.Stdout, os.Stderr), os.Stderr)
	stop()
	os.Exit(code)
}

// report prints run's error, if any, as one line on stderr, and returns the
// exit status: 0, 2 for a usage error, 1 for any other.
func report(err error, stderr io.Writer) int {
	if err == nil {
		return 0
	}
	fmt.Fprintln(stderr, "corsdemo:", err)
	if errors.As(err, new(usageError)) {
		return 2
	}
	return 1
}

// A usageError is a command line run cannot use: it says what is wrong,
// with which flag, and what to write instead. corsdemo exits 2 for it, 1
// for any other error (a port another program holds).
type usageError string

func (e usageError) Error() string { return string(e) }

// shutdownTimeout bounds how long Ctrl-C waits for requests in flight.
const shutdownTimeout = 5 * time.Second

// run starts both servers, prints their URLs to stdout, logs requests to
// stderr, and returns when ctx is done and both servers have shut down.
// -help (or -h, --help) prints the usage to stdout and returns nil; a bad
// command line returns a usageError, and a listen address it cannot use an
// error that names the flag; run prints neither.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("corsdemo", flag.ContinueOnError)
	fs.SetOutput(io.Discard) // run reports parse errors itself, below
	apiAddr := fs.String("api", "localhost:3000", "listen `address` (host:port) of the API origin")
	clientAddr := fs.String("client", "localhost:8080", "listen `address` (host:port) of the client origin, the demo page; the API trusts exactly this origin")
	err := fs.Parse(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		fs.SetOutput(stdout)
		fmt.Fprintf(stdout, "usage: corsdemo [-api host:port] [-client host:port]\n\nStarts an API and a client page on two origins of this machine and prints their\nURLs; open the client URL in a browser. Ctrl-C stops both.\n\nFlags:\n")
		fs.PrintDefaults()
		return nil
	case err != nil:
		return flagProblem(err)
	case fs.NArg() > 0:
		return usageError(fmt.Sprintf("unexpected argument %q: corsdemo takes flags only, e.g. corsdemo -api localhost:4000 -client localhost:9000 (corsdemo -help)", fs.Arg(0)))
	}

	apiLn, err := listen("api", *apiAddr, nil)
	if err != nil {
		return err
	}
	defer apiLn.Close()
	clientLn, err := listen("client", *clientAddr, apiLn)
	if err != nil {
		return err
	}
	defer clientLn.Close()
	apiURL := originOf(*apiAddr, apiLn.Addr())
	clientURL := originOf(*clientAddr, clientLn.Addr())

	logger := slog.New(slog.NewTextHandler(stderr, nil))
	api, err := demo.NewAPI(clientURL, logger)
	if err != nil {
		return err
	}
	servers := []*http.Server{
		{Handler: api, ReadHeaderTimeout: 5 * time.Second, ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelWarn)},
		{Handler: demo.NewClient(apiURL, clientURL), ReadHeaderTimeout: 5 * time.Second, ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelWarn)},
	}
	listeners := []net.Listener{apiLn, clientLn}

	errc := make(chan error, len(servers))
	for i, srv := range servers {
		go func() { errc <- srv.Serve(listeners[i]) }()
	}
	fmt.Fprintf(stdout, "corsdemo\n  API     %s\n  client  %s   <- open this in a browser\nCtrl-C to stop.\n", apiURL, clientURL)

	var serveErr error
	select {
	case <-ctx.Done():
	case serveErr = <-errc: // a server failed on its own
	}
	sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	for _, srv := range servers {
		if err := srv.Shutdown(sctx); err != nil && serveErr == nil {
			serveErr = fmt.Errorf("shutdown: %w", err)
		}
	}
	if errors.Is(serveErr, http.ErrServerClosed) {
		serveErr = nil
	}
	if serveErr == nil {
		fmt.Fprintln(stdout, "corsdemo: stopped")
	}
	return serveErr
}

// flagProblem rewrites the flag package's error as what is wrong, with which
// flag, and what to write instead.
func flagProblem(err error) error {
	msg := err.Error()
	if name, ok := strings.CutPrefix(msg, "flag provided but not defined: "); ok {
		return usageError(fmt.Sprintf("unknown flag %s: the flags are -api and -client (corsdemo -help)", name))
	}
	if name, ok := strings.CutPrefix(msg, "flag needs an argument: -"); ok {
		return usageError(fmt.Sprintf("-%s needs an address: write -%s host:port, e.g. -%s %s", name, name, name, example(name, "")))
	}
	return usageError(msg)
}

// example is an address to suggest for flag name: port on localhost, or,
// when port is "", the flag's default.
func example(name, port string) string {
	if port == "" {
		port = map[string]string{"api": "3000", "client": "8080"}[name]
	}
	return "localhost:" + port
}

// listen listens on addr, the value of the flag -name, or says what is
// wrong with it and what to write instead. api is the API's listener when
// name is "client", so that the two addresses being one is named as such.
func listen(name, addr string, api net.Listener) (net.Listener, error) {
	flagged := "-" + name + " " + addr
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		if fetch.IsDigits(addr) {
			return nil, usageError(fmt.Sprintf("%s: a port alone is not an address: write -%s %s (or -%s :%s to listen on every interface)", flagged, name, example(name, addr), name, addr))
		}
		return nil, usageError(fmt.Sprintf("%s: write host:port, e.g. -%s %s", flagged, name, example(name, "")))
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 || !fetch.IsDigits(port) {
		return nil, usageError(fmt.Sprintf("%s: the port must be a number from 1 to 65535 (0 takes any free port), e.g. -%s %s", flagged, name, example(name, "")))
	}
	ln, err := net.Listen("tcp", addr)
	switch {
	case err == nil:
		return ln, nil
	case errors.Is(err, syscall.EADDRINUSE) && api != nil && port == portOf(api.Addr()):
		return nil, usageError(fmt.Sprintf("%s: -api listens there already; the API and the client are two origins and need two ports, e.g. -%s %s", flagged, name, example(name, "")))
	case errors.Is(err, syscall.EADDRINUSE):
		next := ""
		if n, _ := strconv.Atoi(port); n > 0 && n < 65535 {
			next = fmt.Sprintf(", e.g. -%s %s", name, net.JoinHostPort(host, strconv.Itoa(n+1)))
		}
		return nil, fmt.Errorf("%s: the port is in use by another program (another corsdemo?): stop it, or choose another port%s", flagged, next)
	case errors.Is(err, syscall.EACCES):
		return nil, fmt.Errorf("%s: this user may not listen on port %s (below 1024 needs root): choose a port from 1024, e.g. -%s %s", flagged, port, name, example(name, ""))
	}
	return nil, usageError(fmt.Sprintf("%s: cannot listen there (%v): write a host name or address of this machine and a port, e.g. -%s %s", flagged, errors.Unwrap(err), name, example(name, "")))
}

// portOf returns the port of a TCP address.
func portOf(a net.Addr) string {
	if tcp, ok := a.(*net.TCPAddr); ok {
		return strconv.Itoa(tcp.Port)
	}
	return ""
}

// originOf returns the http origin a browser uses for a server listening on
// addr (as given on the command line) and bound to bound: the host as
// written, "localhost" when none or an unspecified address (":8080",
// "0.0.0.0:8080") was given, and the port actually bound (so ":0" works),
// serialised as fetch.OriginOfURL does (lower case, canonical IPv6, no ":80").
func originOf(addr string, bound net.Addr) string {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		host = ""
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "localhost"
	}
	port := ""
	if tcp, ok := bound.(*net.TCPAddr); ok {
		port = fmt.Sprint(tcp.Port)
	} else if _, p, err := net.SplitHostPort(bound.String()); err == nil {
		port = p
	}
	return fetch.OriginOfURL(&url.URL{Scheme: "http", Host: net.JoinHostPort(host, port)}).String()
}
