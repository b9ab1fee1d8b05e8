// Command corsgate is a reverse proxy that puts a validated corskit CORS
// policy in front of any HTTP backend: for APIs written in Python, Java,
// PHP, or a vendor product, where the Go middleware cannot run.
//
//	corsgate -config corsgate.json          serve
//	corsgate -check -config corsgate.json   validate the file and exit
//
// See the README's corsgate section and the packages under internal/ for
// the configuration file, the modes and the admin listener.
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
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/corskit/cors/cmd/corsgate/internal/accesslog"
	"github.com/corskit/cors/cmd/corsgate/internal/admin"
	"github.com/corskit/cors/cmd/corsgate/internal/clientconn"
	"github.com/corskit/cors/cmd/corsgate/internal/config"
	"github.com/corskit/cors/cmd/corsgate/internal/gateway"
	"github.com/corskit/cors/cmd/corsgate/internal/metrics"
	"github.com/corskit/cors/cmd/corsgate/internal/reload"
)

// Exit codes.
const (
	exitOK      = 0
	exitFailure = 1 // a listener could not be opened, or shutdown was cut short
	exitConfig  = 2 // usage error, or the configuration is unreadable or invalid
)

const usageText = `corsgate: a reverse proxy that applies a corskit CORS policy in front of any HTTP backend.

Usage:
  corsgate -config FILE              serve with the configuration in FILE
  corsgate -check -config FILE       validate FILE, print every problem, exit

Flags:
  -config FILE       the JSON configuration file (default "corsgate.json")
  -check             only validate the file: print each problem as
                     "FILE: location: message" and exit 2 if there is any,
                     else print a summary and exit 0
  -log-format FMT    "json" (default) or "text": the format of the logs on stderr
  -access-log        log one record per request on stderr (default true;
                     -access-log=false turns it off)
  -h, -help, --help  print this help and exit 0

The file (see examples/enforce.json and examples/report-only.json):
  listen            address to serve on, e.g. ":8080"
  upstream          the backend's base URL, e.g. "http://127.0.0.1:9000"
  admin             admin listener address (/healthz /readyz /metrics /config), "" for none
  mode              "enforce" (default): answer CORS at the gateway, replacing the
                    upstream's Access-Control-* headers; "report-only": pass the
                    upstream's answers through, log and count where the policy differs
  routes            [{"path": "/api/", "policy": {corskit Config JSON}, "debug": false,
                    "upgrades": ["websocket"]}]; the longest matching path wins, "/"
                    is the default route; "upgrades": the protocols a request may
                    switch to (a WebSocket handshake's Origin is judged by the policy)
  timeouts          readHeader idle clientBody clientSend upstreamConnect
                    upstreamResponseHeader upstreamRead upstreamSend shutdown drain,
                    as "10s"; clientBody, clientSend, upstreamRead and upstreamSend
                    are idle timeouts (between two reads or two writes)
  trustedProxies    CIDRs whose X-Forwarded-* and X-Real-IP headers are kept
  preserveHost      send the client's Host upstream (default: the upstream's)
  maxHeaderBytes    request header limit (default 65536)
  maxBodyBytes      request body limit, 413 above it (default 1048576; 0: none)
  bufferRequests    read each request body whole before the upstream sees it
  ambiguousPaths    "reject" (default): 400 for %2F, %5C, "\", ";" parameters,
                    double encoding; "forward": pass them untouched

Signals:
  SIGHUP            re-read the file; the file is also re-read when it changes.
                    An invalid file is refused, logged, and the old one stays.
  SIGTERM, SIGINT   /readyz answers 503 at once; requests are still served for
                    timeouts.drain (a second signal ends the drain), then the
                    listener closes and those in flight finish (at most
                    timeouts.shutdown); exit 0

Exit codes: 0 ok; 1 cannot listen, or shutdown cut requests short; 2 usage
error or invalid configuration.
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("corsgate", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	configPath := fs.String("config", "corsgate.json", "")
	check := fs.Bool("check", false, "")
	logFormat := fs.String("log-format", "json", "")
	accessLog := fs.Bool("access-log", true, "")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, usageText)
			return exitOK
		}
		fmt.Fprintf(stderr, "corsgate: %v\n\n%s", err, usageText)
		return exitConfig
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "corsgate: unexpected argument %q (the file is given with -config)\n", fs.Arg(0))
		return exitConfig
	}
	if *logFormat != "json" && *logFormat != "text" {
		fmt.Fprintf(stderr, "corsgate: -log-format %q: write json or text\n", *logFormat)
		return exitConfig
	}

	data, err := os.ReadFile(*configPath)
	if err != nil {
		fmt.Fprintf(stderr, "corsgate: %v\n", err)
		return exitConfig
	}
	cfg, err := config.Parse(data)
	if err != nil {
		printProblems(stderr, *configPath, err)
		return exitConfig
	}
	if *check {
		for _, w := range cfg.Warnings() {
			fmt.Fprintf(stderr, "%s: warning: %s\n", *configPath, w)
		}
		fmt.Fprintf(stdout, "%s: ok: mode %s, %d route(s), upstream %s\n", *configPath, cfg.Mode, len(cfg.Routes), cfg.Upstream)
		return exitOK
	}

	// Records are written off the request path, in batches, and all of
	// them by the time run returns (package accesslog).
	out := accesslog.New(stderr, accesslog.DefaultLimit)
	defer out.Close()
	var h slog.Handler = slog.NewJSONHandler(out, nil)
	if *logFormat == "text" {
		h = slog.NewTextHandler(out, nil)
	}
	log := slog.New(h)
	opts := gateway.Options{Log: log}
	switch {
	case !*accessLog:
	case *logFormat == "json":
		// The same records slog's JSON handler would write, written
		// directly (gateway.Options.AccessJSON).
		opts.AccessJSON = out
	default:
		opts.AccessLog = log.With("log", "access")
	}
	return serve(cfg, data, *configPath, log, opts)
}

func printProblems(w io.Writer, path string, err error) {
	var ce *config.Error
	if errors.As(err, &ce) {
		for _, p := range ce.Problems {
			fmt.Fprintf(w, "%s: %s\n", path, p)
		}
		fmt.Fprintf(w, "%s: %d problem(s)\n", path, len(ce.Problems))
		return
	}
	fmt.Fprintf(w, "%s: %v\n", path, err)
}

func serve(cfg *config.Config, data []byte, path string, log *slog.Logger, opts gateway.Options) int {
	m := metrics.New()
	st := admin.NewState(path)
	opts.Observer = m
	gw, err := gateway.New(cfg, opts)
	if err != nil {
		log.Error("building the gateway", "error", err)
		return exitConfig
	}
	defer gw.Close()
	now := time.Now()
	st.Loaded(cfg, now)
	m.Loaded(now)

	for _, w := range cfg.Warnings() {
		log.Warn("configuration", "location", w.Location, "warning", w.Message)
	}
	errLog := slog.NewLogLogger(log.Handler(), slog.LevelWarn)
	// No ReadTimeout or WriteTimeout: they bound a whole request or
	// response, and cut a large transfer that is moving. The gateway sets
	// idle deadlines per read and write instead (package gateway).
	srv := &http.Server{
		Handler:           gw,
		ReadHeaderTimeout: cfg.ReadHeaderTimeout,
		IdleTimeout:       cfg.IdleTimeout,
		MaxHeaderBytes:    cfg.MaxHeaderBytes,
		ErrorLog:          errLog,
		ConnContext:       clientconn.ConnContext,
		// "OPTIONS *" reaches the gateway, which refuses it (400), instead
		// of net/http's own 200.
		DisableGeneralOptionsHandler: true,
	}
	tcp, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		log.Error("cannot listen", "listen", cfg.Listen, "error", err)
		return exitFailure
	}
	ln := &clientconn.Listener{Listener: tcp, Window: clientconn.WindowFor(cfg.MaxHeaderBytes)}
	var adminSrv *http.Server
	var adminLn net.Listener
	if cfg.Admin != "" {
		adminLn, err = net.Listen("tcp", cfg.Admin)
		if err != nil {
			ln.Close()
			log.Error("cannot listen", "admin", cfg.Admin, "error", err)
			return exitFailure
		}
		adminSrv = &http.Server{
			Handler:           st.Handler(m.Handler()),
			ReadHeaderTimeout: 5 * time.Second,
			ReadTimeout:       10 * time.Second,
			WriteTimeout:      30 * time.Second,
			IdleTimeout:       60 * time.Second,
			MaxHeaderBytes:    16 << 10,
			ErrorLog:          errLog,
		}
		go adminSrv.Serve(adminLn)
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	defer signal.Stop(hup)
	defer signal.Stop(stop)

	w := &reload.Watcher{Path: path, Initial: data, Log: log, Load: func(data []byte, err error, trigger string) {
		reloadConfig(gw, st, m, log, data, err, trigger)
	}}
	go w.Run(ctx, hup)

	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	st.SetReady(true)
	attrs := []any{"listen", ln.Addr().String(), "upstream", cfg.Upstream.String(), "mode", string(cfg.Mode), "routes", len(cfg.Routes), "sha256", cfg.SHA256}
	if adminLn != nil {
		attrs = append(attrs, "admin", adminLn.Addr().String())
	}
	log.Info("corsgate serving", attrs...)

	select {
	case err := <-served:
		log.Error("server stopped", "error", err)
		return exitFailure
	case sig := <-stop:
		st.SetReady(false)
		if drain := gw.Config().DrainTimeout; drain > 0 {
			// Readiness fails first; the listener stays open until load
			// balancers have seen it and stopped sending.
			log.Info("draining: /readyz answers 503, requests are still served", "signal", sig.String(), "drain", drain.String())
			select {
			case <-time.After(drain):
			case sig := <-stop:
				log.Info("draining cut short", "signal", sig.String())
			}
		}
		log.Info("shutting down: finishing requests in flight", "signal", sig.String(), "timeout", gw.Config().ShutdownTimeout.String())
	}
	code := exitOK
	sctx, scancel := context.WithTimeout(context.Background(), gw.Config().ShutdownTimeout)
	defer scancel()
	if err := srv.Shutdown(sctx); err != nil {
		log.Error("shutdown cut requests in flight short", "error", err)
		srv.Close()
		code = exitFailure
	}
	if adminSrv != nil {
		adminSrv.Shutdown(sctx)
	}
	log.Info("corsgate stopped")
	return code
}

// reloadConfig applies a re-read file, or refuses it and keeps the
// configuration in force.
func reloadConfig(gw *gateway.Gateway, st *admin.State, m *metrics.Metrics, log *slog.Logger, data []byte, readErr error, trigger string) {
	now := time.Now()
	r := admin.Reload{At: now, Trigger: trigger}
	fail := func() {
		st.Reloaded(r)
		m.Reloaded(false, now)
		log.Error("configuration refused; the previous one stays in force", "trigger", trigger, "problems", r.Problems, "error", r.Error)
	}
	if readErr != nil {
		r.Error = readErr.Error()
		fail()
		return
	}
	c, err := config.Parse(data)
	if err != nil {
		var ce *config.Error
		if errors.As(err, &ce) {
			for _, p := range ce.Problems {
				r.Problems = append(r.Problems, p.String())
			}
		} else {
			r.Error = err.Error()
		}
		fail()
		return
	}
	if ps := config.RestartRequired(gw.Config(), c); len(ps) > 0 {
		for _, p := range ps {
			r.Problems = append(r.Problems, p.String())
		}
		fail()
		return
	}
	if err := gw.Load(c); err != nil {
		r.Error = err.Error()
		fail()
		return
	}
	r.OK = true
	st.Loaded(c, now)
	st.Reloaded(r)
	m.Reloaded(true, now)
	log.Info("configuration reloaded", "trigger", trigger, "sha256", c.SHA256, "mode", string(c.Mode), "routes", len(c.Routes))
}
