// Package origincorpus is the corpus behind corskit's differential test of
// origin-pattern validation against browsers' own URL parsers.
//
// Inputs generates origin strings in the forms people write in a policy and
// browsers parse differently: IPv4 and IPv6 spellings, trailing dots, case,
// Punycode and Unicode hosts, ports and default ports, userinfo, paths and
// odd schemes. The e2e module records, once, what each browser engine makes
// of every one of them with new URL(s) (Script), together with the
// replacement corskit suggests for each refused one, and commits the result
// (testdata/origins.json, embedded here). The root package's test then
// checks, without a browser, that every exact origin cors.New accepts is one
// a browser serialises to itself, and that every suggested replacement is
// one too. Re-record with `make record-origins` after changing Inputs or the
// suggestions.
package origincorpus

import (
	_ "embed"
	"encoding/json"
	"slices"
)

// Parse is what one engine's URL parser made of an input.
type Parse struct {
	// Valid is false when new URL(input) threw.
	Valid bool `json:"valid"`
	// Origin is url.origin: "null" for a URL whose origin is opaque (every
	// scheme a browser does not know as special).
	Origin string `json:"origin,omitempty"`
	// Protocol and Host are url.protocol ("https:") and url.host (with a
	// non-default port), the tuple an embedder that gives a custom scheme a
	// tuple origin (an app webview, an extension) would serialise.
	Protocol string `json:"protocol,omitempty"`
	Host     string `json:"host,omitempty"`
}

// Entry is one input and what each recorded engine made of it, by engine
// name ("chromium", "firefox", "webkit").
type Entry struct {
	Input   string           `json:"input"`
	Engines map[string]Parse `json:"engines"`
}

// Corpus is the recorded file.
type Corpus struct {
	// Recorded names each engine and its version, as the recorder saw it.
	Recorded map[string]string `json:"recorded"`
	Entries  []Entry           `json:"entries"`
}

// File is the corpus's path relative to the repository root, for the
// recorder.
const File = "internal/origincorpus/testdata/origins.json"

//go:embed testdata/origins.json
var recorded []byte

// Load returns the committed corpus.
func Load() (*Corpus, error) {
	var c Corpus
	if err := json.Unmarshal(recorded, &c); err != nil {
		return nil, err
	}
	return &c, nil
}

// Script is the body of an async JavaScript function that takes the inputs
// as the JSON array `inputs` and returns one Parse per input.
const Script = `return inputs.map(s => {
	try {
		const u = new URL(s);
		return {valid: true, origin: u.origin, protocol: u.protocol, host: u.host};
	} catch (e) {
		return {valid: false};
	}
});`

// Inputs returns the generated origin strings, without duplicates, in a
// fixed order.
func Inputs() []string {
	var out []string
	add := func(s string) {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	// Every host with the usual schemes and no port: how each host is
	// serialised.
	for _, scheme := range []string{"http", "https"} {
		for _, host := range hosts {
			add(scheme + "://" + host)
		}
	}
	// Ports, default and not, on a few hosts of each kind.
	for _, scheme := range []string{"http", "https", "ws", "wss", "ftp"} {
		for _, host := range []string{"example.com", "127.0.0.1", "[::1]", "localhost", "xn--bcher-kva.example"} {
			for _, port := range ports {
				add(scheme + "://" + host + port)
			}
		}
	}
	// Odd and upper-case schemes.
	for _, scheme := range schemes {
		for _, host := range []string{"example.com", "localhost", "Example.com", "127.1", "[::1]", "abcdefghijklmnop"} {
			add(scheme + "://" + host)
			add(scheme + "://" + host + ":8080")
		}
	}
	// What is not part of an origin: userinfo, paths, queries, fragments,
	// white space, on hosts that also need a correction of their own.
	for _, host := range []string{"example.com", "EXAMPLE.com", "127.1", "[0:0::1]", "bücher.example", "example.com:443", "example.com:8080"} {
		for _, affix := range affixes {
			add(affix[0] + "https://" + affix[1] + host + affix[2])
		}
	}
	// Strings without a scheme or "://".
	for _, s := range []string{"example.com", "localhost:3000", "//example.com", "https:example.com", "https:/example.com", "https:///example.com", "null", "file:///tmp/x", "file://host/x"} {
		add(s)
	}
	return out
}

// hosts are the hosts every scheme is tried with.
var hosts = []string{
	// Domains.
	"example.com", "Example.COM", "example.com.", "EXAMPLE.COM.", "localhost", "localhost.",
	"app.localhost", "a_b.example", "-a.example", "a-.example", "a..example", ".example.com",
	"example..com", "a b.example", "ex!ample.com", "exa%6Dple.com", "ex%41mple.com", "x" + repeat("a", 62) + ".example",
	"x" + repeat("a", 63) + ".example", "example.1a", "example.a1", "1a.example",
	// Punycode and Unicode.
	"xn--bcher-kva.example", "XN--BCHER-KVA.example", "Xn--bcher-kva.example", "bücher.example", "BÜCHER.example",
	"xn--f", "a.xn--f.example", "xn--.example", "xn--a.example", "xn--ls8h.example", "💩.example",
	"ｅｘａｍｐｌｅ.com", "例え.テスト", "xn--r8jz45g.xn--zckzah", "faß.de", "xn--fa-hia.de", "ß.example",
	"xn--abc-.example", "xn--zca.example", "a\u200db.example", "\u0627\u0644\u0639\u0631\u0628\u064a\u0629.example",
	"mañana.com", "MAÑANA.com", "xn--maana-pta.com",
	// IPv4 in its legacy forms.
	"127.0.0.1", "127.0.0.1.", "127.1", "127.0.1", "0x7f.0.0.1", "0X7F.0.0.1", "0177.0.0.1", "2130706433",
	"0x7f000001", "017700000001", "127.0.0.01", "127.0.0.0x1", "0x.0x.0x.0x1", "256.0.0.1", "1.2.3.256",
	"1.2.65536", "1.2.3.4.5", "1.2.3.4..", "example.123", "example.0x1", "example.09", "0x", "0",
	"4294967295", "4294967296", "999999999999999999999", "1.2.3.08", "10.0.0.1", "192.168.1.1",
	// IPv6.
	"[::1]", "[0::1]", "[0:0:0:0:0:0:0:1]", "[::0:1]", "[::]", "[0::]", "[::ffff:127.127.127.127]",
	"[::ffff:7f7f:7f7f]", "[::FFFF:7F7F:7F7F]", "[::127.0.0.1]", "[::7f00:1]", "[1:0:0:2:0:0:3:4]",
	"[1::2:0:0:3:4]", "[1:0:0:2:0:0:0:3]", "[1:0:0:2::3]", "[2001:db8::1]", "[2001:DB8::1]",
	"[2001:0db8:0000:0000:0000:0000:0000:0001]", "[1:2:3:4:5:6:7:8]", "[1:2:3:4:5:6:7::]", "[1:0:3:4:5:6:7:8]",
	"[::1%25eth0]", "[::1]]", "[::1", "[1:2:3:4:5:6:7:8:9]", "[::1.2.3]", "[fe80::1]", "[FE80::A:B]",
}

var ports = []string{"", ":80", ":443", ":21", ":8080", ":0", ":1", ":65535", ":65536", ":08080", ":", ":080", ":+80", ":1e3"}

var schemes = []string{
	"HTTP", "Https", "ws", "wss", "ftp", "file", "foo", "chrome-extension", "moz-extension",
	"safari-web-extension", "tauri", "capacitor", "app", "x-custom+scheme.v1", "1http",
}

// affixes are [prefix, userinfo, suffix] triples around a host.
var affixes = [][3]string{
	{"", "", ""}, {"", "", "/"}, {"", "", "/path"}, {"", "", "?q=1"}, {"", "", "#top"}, {"", "", "/?#"},
	{"", "user@", ""}, {"", "user:pw@", ""}, {"", "user:pw@", "/x"}, {" ", "", ""}, {"", "", " "}, {"", "", "\t"},
}

func repeat(s string, n int) string {
	out := ""
	for i := 0; i < n; i++ {
		out += s
	}
	return out
}
