package driver

import "testing"

// Lines as WebKitGTK 2.50's web process printed them on this machine.
func TestParseWebKitConsole(t *testing.T) {
	for _, tc := range []struct {
		line string
		want Line
		ok   bool
	}{
		{"CONSOLE SECURITY ERROR Origin http://127.0.0.1:18081 is not allowed by Access-Control-Allow-Origin. Status code: 200",
			Line{Level: "error", Source: "SECURITY", Text: "Origin http://127.0.0.1:18081 is not allowed by Access-Control-Allow-Origin. Status code: 200"}, true},
		{"CONSOLE JS ERROR Fetch API cannot load http://127.0.0.1:18082/x due to access control checks.",
			Line{Level: "error", Source: "JS", Text: "Fetch API cannot load http://127.0.0.1:18082/x due to access control checks."}, true},
		{"CONSOLE LOG marker1", Line{Level: "log", Source: "CONSOLE", Text: "marker1"}, true},
		{"  s.set_enable_dns_prefetching(False)", Line{}, false},
		{"CONSOLE SOMETHING ELSE", Line{}, false},
	} {
		got, ok := ParseWebKitConsole(tc.line)
		if ok != tc.ok || got != tc.want {
			t.Errorf("ParseWebKitConsole(%q) = %+v, %v; want %+v, %v", tc.line, got, ok, tc.want, tc.ok)
		}
	}
}
