// Command corsdemo shows CORS at work in a real browser. It starts two
// origins on this machine: an API (default localhost:3000) whose routes
// mirror the Express article the corskit project began from, and a client
// page (default localhost:8080) whose buttons call the API with fetch and
// XMLHttpRequest and show which calls the browser lets the page read, and
// why the others are blocked: for each call the client origin runs the
// checker (check.Explain, corscheck's engine) against the live API.
//
//	go run ./cmd/corsdemo
//	go run ./cmd/corsdemo -api localhost:4000 -client localhost:9000
//
// Open the client URL it prints. The API trusts exactly that origin, so
// http://127.0.0.1:8080 is not the same page as http://localhost:8080 as far
// as CORS is concerned. Ctrl-C stops both servers.
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
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "corsdemo:", err)
		}
		os.Exit(2)
	}
}

// shutdownTimeout bounds how long Ctrl-C waits for requests in flight.
const shutdownTimeout = 5 * time.Second

// run starts both servers, prints their URLs to stdout, logs requests to
// stderr, and returns when ctx is done and both servers have shut down.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("corsdemo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	apiAddr := fs.String("api", "localhost:3000", "listen address of the API origin")
	clientAddr := fs.String("client", "localhost:8080", "listen address of the client origin (the demo page)")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: corsdemo [-api host:port] [-client host:port]\n\nStarts an API and a client page on two origins; open the client URL in a browser.\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return fmt.Errorf("unexpected arguments: %q", fs.Args())
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
