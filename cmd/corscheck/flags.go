package main

import (
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"regexp"
	"strings"
	"time"
)

const usage = `corscheck explains why a browser blocks a cross-origin request, and audits a URL for CORS misconfigurations.

usage:
  corscheck explain URL --origin ORIGIN [flags]   what a browser does with one request, and why
                                                  (a ws:// or wss:// URL: whether the server accepts the
                                                  page's WebSocket, and any origin's)
  corscheck audit URL [flags]                     probe for misconfigurations (for CI: exit 1 on findings);
                                                  ws(s):// URLs are probed with WebSocket handshakes
  corscheck har FILE [flags]                      explain the cross-origin requests of a HAR recording, offline

Run "corscheck explain --help", "corscheck audit --help" or "corscheck har --help" for every flag.

exit status: 0 allowed / audit clean, 1 blocked / findings at or above --fail-on,
             2 usage error (har: not a HAR file), 3 network error (or the audit's
             --deadline passed; never for har, which sends nothing)
`

// run is main without the process: it parses args, writes to stdout and
// stderr, and returns the exit status.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	switch args[0] {
	case "explain":
		return explain(args[1:], stdout, stderr)
	case "audit":
		return audit(args[1:], stdout, stderr)
	case "har":
		return harCommand(args[1:], stdout, stderr)
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, usage)
		return exitOK
	}
	fmt.Fprintf(stderr, "corscheck: unknown command %q: write \"corscheck explain URL --origin ORIGIN\" or \"corscheck audit URL\" (corscheck --help)\n", args[0])
	return exitUsage
}

// headerFlag collects repeated -H 'Name: value' flags, and their order.
type headerFlag struct {
	h     http.Header
	order []string
}

func (f *headerFlag) String() string { return "" }

func (f *headerFlag) Set(s string) error {
	name, value, ok := strings.Cut(s, ":")
	name = strings.TrimSpace(name)
	if !ok || name == "" || strings.ContainsAny(name, " \t") {
		return fmt.Errorf("write 'Name: value', e.g. -H 'Content-Type: application/json' (got %q)", s)
	}
	if f.h == nil {
		f.h = http.Header{}
	}
	// The name is kept as written (Safari's console line names a header
	// as the script spelled it); a repeated name, in any case, joins the
	// first spelling.
	for _, n := range f.order {
		if strings.EqualFold(n, name) {
			name = n
			break
		}
	}
	if _, ok := f.h[name]; !ok {
		f.order = append(f.order, name)
	}
	f.h[name] = append(f.h[name], strings.TrimSpace(value))
	return nil
}

type listFlag []string

func (f *listFlag) String() string     { return strings.Join(*f, ",") }
func (f *listFlag) Set(s string) error { *f = append(*f, s); return nil }

// durationFlag is a positive time.Duration whose error says what to write.
type durationFlag struct{ d *time.Duration }

func (f durationFlag) String() string {
	if f.d == nil {
		return ""
	}
	return f.d.String()
}

func (f durationFlag) Set(s string) error {
	d, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("write a duration such as %ss or 1m30s", strings.TrimSpace(s))
	}
	if d <= 0 {
		return errors.New("write a positive duration such as 10s")
	}
	*f.d = d
	return nil
}

// common holds the flags both commands take.
type common struct {
	timeout  time.Duration
	insecure bool
	json     bool
	headers  headerFlag
}

func (c *common) register(fs *flag.FlagSet) {
	c.timeout = 10 * time.Second
	fs.Var(durationFlag{&c.timeout}, "timeout", "time limit for each request (a `duration` such as 5s or 1m)")
	fs.BoolVar(&c.insecure, "insecure", false, "skip TLS certificate verification (test servers with self-signed certificates only)")
	fs.BoolVar(&c.json, "json", false, "print JSON instead of text")
	fs.Var(&c.headers, "H", "request `header` 'Name: value' (repeatable)")
}

func (c *common) client() *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	if c.insecure {
		t.TLSClientConfig = &tls.Config{InsecureSkipVerify: true}
	}
	return &http.Client{Transport: t, Timeout: c.timeout}
}

// newFlagSet returns a flag set whose --help prints synopsis and every flag
// with its description and default.
func newFlagSet(name, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.Usage = func() {
		w := fs.Output()
		fmt.Fprintf(w, "usage: %s\n\nflags (-x and --x are the same; flags may come before or after URL):\n", synopsis)
		fs.VisitAll(func(f *flag.Flag) {
			arg, help := flag.UnquoteUsage(f)
			fmt.Fprintf(w, "  %s", dashes(f.Name))
			if arg != "" {
				fmt.Fprintf(w, " %s", arg)
			}
			fmt.Fprintf(w, "\n      %s", help)
			if f.DefValue != "" && f.DefValue != "false" && f.DefValue != "[]" {
				fmt.Fprintf(w, " (default %s)", f.DefValue)
			}
			fmt.Fprintln(w)
		})
	}
	return fs
}

var (
	invalidValueRE = regexp.MustCompile(`^invalid (?:boolean )?value "(.*)" for flag -(\S+): (.*)$`)
	undefinedRE    = regexp.MustCompile(`^flag provided but not defined: -+(.*)$`)
	needsArgRE     = regexp.MustCompile(`^flag needs an argument: -+(.*)$`)
)

// curlFlags are curl's names for corscheck's flags: what someone who
// reproduces a request with curl types first.
var curlFlags = map[string]string{
	"X": "method", "request": "method",
	"d": "data", "data-raw": "data", "data-binary": "data-file",
	"b": "cookie", "k": "insecure", "header": "H", "m": "timeout", "max-time": "timeout",
}

// flagError rewrites the flag package's error for fs so that it names the
// flag as the user typed it and says what to write.
func flagError(fs *flag.FlagSet, err error) string {
	cmd, msg := fs.Name(), err.Error()
	if m := invalidValueRE.FindStringSubmatch(msg); m != nil {
		return fmt.Sprintf("%s %s: %s", dashes(m[2]), m[1], m[3])
	}
	if m := undefinedRE.FindStringSubmatch(msg); m != nil {
		if ours, ok := curlFlags[m[1]]; ok && fs.Lookup(ours) != nil {
			return fmt.Sprintf("unknown flag %s (curl's): write %s instead (corscheck %s --help)", dashes(m[1]), dashes(ours), cmd)
		}
		return fmt.Sprintf("unknown flag %s: run \"corscheck %s --help\" for the flags there are", dashes(m[1]), cmd)
	}
	if m := needsArgRE.FindStringSubmatch(msg); m != nil {
		return fmt.Sprintf("%s needs a value: write %s VALUE (corscheck %s --help)", dashes(m[1]), dashes(m[1]), cmd)
	}
	return msg
}

// dashes writes a flag name as the help shows it: -H, --origin.
func dashes(name string) string {
	if len(name) == 1 {
		return "-" + name
	}
	return "--" + name
}

// parse parses flags that may come before or after the single positional
// URL (the flag package alone stops at the first non-flag). help reports
// that --help was asked for and printed to stdout.
func parse(fs *flag.FlagSet, args []string, stdout, stderr io.Writer) (target string, help, ok bool) {
	return parseOne(fs, args, stdout, stderr, "URL", "corscheck "+fs.Name()+" https://api.example.com/path ...")
}

// parseOne is parse for a command whose one positional argument is what
// (URL, FILE); example shows how to write it.
func parseOne(fs *flag.FlagSet, args []string, stdout, stderr io.Writer, what, example string) (target string, help, ok bool) {
	fs.SetOutput(io.Discard)
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fs.SetOutput(stdout)
				fs.Usage()
				return "", true, false
			}
			fmt.Fprintf(stderr, "corscheck %s: %s\n", fs.Name(), flagError(fs, err))
			return "", false, false
		}
		if fs.NArg() == 0 {
			break
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if len(pos) != 1 {
		fmt.Fprintf(stderr, "corscheck %s: want exactly one %s, got %d arguments: write \"%s\"\n", fs.Name(), what, len(pos), example)
		return "", false, false
	}
	return pos[0], false, true
}

// readData returns the body given by --data or --data-file ("-" is stdin).
func readData(data, file string) (string, error) {
	switch {
	case data != "" && file != "":
		return "", errors.New("--data and --data-file: give one of them, not both")
	case file == "-":
		b, err := io.ReadAll(io.LimitReader(os.Stdin, 16<<20))
		return string(b), err
	case file != "":
		b, err := os.ReadFile(file)
		if err != nil {
			return "", fmt.Errorf("--data-file %s: %v: write the path of a readable file, or - for stdin", file, errors.Unwrap(err))
		}
		return string(b), nil
	}
	return data, nil
}
