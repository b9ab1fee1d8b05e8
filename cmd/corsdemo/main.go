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
	"syscall"
	"time"

	"github.com/corskit/cors/internal/demo"
	"github.com/corskit/cors/internal/fetch"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, errUsage) {
			fmt.Fprintln(os.Stderr, "corsdemo:", err)
		}
		os.Exit(2)
	}
}

// errUsage is run's error for a command line it cannot use; it has already
// said why, with the usage, on stderr.
var errUsage = errors.New("usage")

// shutdownTimeout bounds how long Ctrl-C waits for requests in flight.
const shutdownTimeout = 5 * time.Second

// run starts both servers, prints their URLs to stdout, logs requests to
// stderr, and returns when ctx is done and both servers have shut down.
// -help (or -h, --help) prints the usage to stdout and returns nil; a bad
// command line prints what is wrong and the usage to stderr and returns
// errUsage.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("corsdemo", flag.ContinueOnError)
	fs.SetOutput(io.Discard) // run reports parse errors itself, below
	apiAddr := fs.String("api", "localhost:3000", "listen `address` (host:port) of the API origin")
	clientAddr := fs.String("client", "localhost:8080", "listen `address` (host:port) of the client origin, the demo page; the API trusts exactly this origin")
	usage := func(w io.Writer) {
		fs.SetOutput(w)
		fmt.Fprintf(w, "usage: corsdemo [-api host:port] [-client host:port]\n\nStarts an API and a client page on two origins of this machine and prints their\nURLs; open the client URL in a browser. Ctrl-C stops both.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	err := fs.Parse(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		usage(stdout)
		return nil
	case err != nil:
		fmt.Fprintf(stderr, "corsdemo: %v\n\n", err)
		usage(stderr)
		return errUsage
	case fs.NArg() > 0:
		fmt.Fprintf(stderr, "corsdemo: unexpected arguments: %q\n\n", fs.Args())
		usage(stderr)
		return errUsage
	}

	apiLn, err := net.Listen("tcp", *apiAddr)
	if err != nil {
		return fmt.Errorf("API: %w", err)
	}
	defer apiLn.Close()
	clientLn, err := net.Listen("tcp", *clientAddr)
	if err != nil {
		return fmt.Errorf("client: %w", err)
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
