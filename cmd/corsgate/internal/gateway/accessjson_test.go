package gateway

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"reflect"
	"testing"
	"time"
)

// TestAccessJSONIsSlogs: writeAccessJSON writes what slog's JSON handler
// writes for the same record, field for field, for strings a client
// controls (quotes, backslashes, control characters, invalid UTF-8,
// U+2028) and the integer and duration fields.
func TestAccessJSONIsSlogs(t *testing.T) {
	strs := []string{"", "plain", `"quoted" \back\`, "tab\tnew\nline\r", "\x00\x01\x1f\x7f", "bad \xff\xfe utf8", "caf\u00e9 \u2028\u2029 \U0001F600", "</script>&"}
	for _, s := range strs {
		attrs := []slog.Attr{
			slog.String("path", s), slog.Int("status", 204), slog.Duration("duration", 1500*time.Microsecond),
			slog.Int64("bytes", -1), slog.String("origin", s+s),
		}
		var mine, theirs bytes.Buffer
		now := time.Date(2026, 12, 7, 19, 0, 0, 120000000, time.UTC)
		writeAccessJSON(&mine, now, attrs)
		h := slog.NewJSONHandler(&theirs, nil).WithAttrs([]slog.Attr{slog.String("log", "access")})
		r := slog.NewRecord(now, slog.LevelInfo, "request", 0)
		r.AddAttrs(attrs...)
		h.Handle(context.Background(), r)
		var a, b map[string]any
		if err := json.Unmarshal(mine.Bytes(), &a); err != nil {
			t.Fatalf("%q: not JSON: %v: %s", s, err, mine.Bytes())
		}
		json.Unmarshal(theirs.Bytes(), &b)
		if !reflect.DeepEqual(a, b) || bytes.Count(mine.Bytes(), []byte("\n")) != 1 {
			t.Errorf("%q:\n mine %s\nslog's %s", s, mine.Bytes(), theirs.Bytes())
		}
	}
}

func TestAccessJSONAllocations(t *testing.T) {
	attrs := []slog.Attr{slog.String("path", "/api/x"), slog.Int("status", 200)}
	var buf bytes.Buffer
	buf.Grow(1 << 16)
	n := testing.AllocsPerRun(100, func() { writeAccessJSON(&buf, time.Now(), attrs) })
	if n != 0 {
		t.Errorf("%v allocations per record", n)
	}
}
