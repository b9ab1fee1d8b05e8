package engine

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// This file holds Chromium's judgement of a WebSocket opening handshake's
// answer and the words its console uses when a socket does not open. Blink
// (third_party/blink/renderer/modules/websockets/websocket_channel_impl.cc)
// writes "WebSocket connection to '<url>' failed: " before the failure
// the network stack gives it: net/websockets/websocket_stream.cc for a
// connection that fails ("Error in connection establishment: net::ERR_…",
// and a 401 it has no credentials for), websocket_basic_handshake_stream.cc
// for an answer that is not a valid handshake ("Error during WebSocket
// handshake: …"). Each line was seen in Chromium 156 (e2e
// TestWebSocketHandshakeFailures, and TestLNA for Local Network Access).

// ChromiumWebSocketLine is the console line Chromium logs when new
// WebSocket(url) fails with failure (the text ChromiumHandshakeFailure
// returns).
func ChromiumWebSocketLine(url, failure string) string {
	return "WebSocket connection to '" + url + "' failed: " + failure
}

// ChromiumHandshakeFailure judges the answer to an opening handshake as
// Chromium does, in its order: the status (a 401 is an authentication
// failure: Chromium has no credentials to retry with), Upgrade,
// Sec-WebSocket-Accept (want is the value RFC 6455 §4.2.2 gives for the
// key sent), then the subprotocol the server chose among those offered.
// It returns the failure as the console line words it, "" when the socket
// opens.
func ChromiumHandshakeFailure(status int, h http.Header, want string, offered []string) string {
	const during = "Error during WebSocket handshake: "
	chosen := h.Get("Sec-WebSocket-Protocol")
	switch {
	case status == http.StatusUnauthorized:
		return "HTTP Authentication failed; no valid credentials available"
	case status != http.StatusSwitchingProtocols:
		return fmt.Sprintf(during+"Unexpected response code: %d", status)
	case !strings.EqualFold(h.Get("Upgrade"), "websocket"):
		return during + "'Upgrade' header value is not 'WebSocket': " + h.Get("Upgrade")
	case h.Get("Sec-WebSocket-Accept") != want:
		return during + "Incorrect 'Sec-WebSocket-Accept' header value"
	case len(offered) == 0 && chosen != "":
		return during + "Response must not include 'Sec-WebSocket-Protocol' header if not present in request: " + chosen
	case len(offered) > 0 && chosen == "":
		return during + "Sent non-empty 'Sec-WebSocket-Protocol' header but no response was received"
	case chosen != "" && !slices.Contains(offered, chosen):
		return during + "'Sec-WebSocket-Protocol' header value '" + chosen + "' in response does not match any of sent values"
	}
	return ""
}

// chromiumWebSocketConsole is the line for a WebSocket that failed f before
// its handshake was sent (Local Network Access): a connection error.
func chromiumWebSocketConsole(f Failure) string {
	return ChromiumWebSocketLine(f.URL, "Error in connection establishment: net::"+chromiumNetError(f))
}
