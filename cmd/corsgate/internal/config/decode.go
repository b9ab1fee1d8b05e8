package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strings"
)

// decoder fills a File from JSON key by key, so that every problem is found
// in one pass and located: encoding/json stops at the first error and, with
// DisallowUnknownFields, names an unknown key without saying where it is.
type decoder struct {
	problems  []Problem
	fatal     bool            // the document is not JSON: nothing else can be checked
	badPolicy map[int]bool    // index of routes whose policy had a decoding problem
	route     int             // the route being decoded, -1 outside routes
	bad       map[string]bool // locations with a decoding problem
}

func (d *decoder) add(loc, format string, args ...any) {
	d.problems = append(d.problems, Problem{Location: loc, Message: fmt.Sprintf(format, args...)})
	if d.bad == nil {
		d.bad = map[string]bool{}
	}
	d.bad[loc] = true
}

// badValue is add for a value that did not decode. Its route's policy is
// then not validated: cors.New would report the missing value again (an
// allowedOrigins that is a string is also "no origin is allowed"). Unknown
// keys do not stop validation: the rest of the policy is what it says.
func (d *decoder) badValue(loc, format string, args ...any) {
	d.add(loc, format, args...)
	if d.route >= 0 && strings.Contains(loc, ".policy") {
		if d.badPolicy == nil {
			d.badPolicy = map[int]bool{}
		}
		d.badPolicy[d.route] = true
	}
}

// document decodes data, one JSON object, into f.
func (d *decoder) document(data []byte, f *File) {
	d.route = -1
	var probe any
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&probe); err != nil {
		d.syntax(data, err)
		return
	}
	if dec.More() || dec.InputOffset() < int64(len(bytes.TrimRight(data, " \t\r\n"))) {
		line, col := position(data, dec.InputOffset())
		d.add(fmt.Sprintf("line %d, column %d", line, col), "text after the configuration object: a file holds one JSON object")
		d.fatal = true
		return
	}
	if _, ok := probe.(map[string]any); !ok {
		d.add("(file)", `the file must hold one JSON object, {"listen": …, "upstream": …, "routes": […]}`)
		d.fatal = true
		return
	}
	d.value("", data, reflect.ValueOf(f).Elem())
}

func (d *decoder) syntax(data []byte, err error) {
	d.fatal = true
	var se *json.SyntaxError
	if errors.As(err, &se) {
		line, col := position(data, max(se.Offset-1, 0))
		d.add(fmt.Sprintf("line %d, column %d", line, col), "not valid JSON: %v", se)
		return
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		d.add("(file)", "the file is empty or ends too early: it must hold one JSON object")
		return
	}
	d.add("(file)", "not valid JSON: %v", err)
}

// position turns a byte offset into a 1-based line and column.
func position(data []byte, off int64) (line, col int) {
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	before := data[:off]
	line = bytes.Count(before, []byte("\n")) + 1
	col = int(off) - bytes.LastIndexByte(before, '\n')
	return line, col
}

var unmarshalerType = reflect.TypeFor[json.Unmarshaler]()

// value decodes raw into v, located at loc.
func (d *decoder) value(loc string, raw []byte, v reflect.Value) {
	if bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
		return // as encoding/json: null leaves the default
	}
	switch {
	case reflect.PointerTo(v.Type()).Implements(unmarshalerType) || v.Kind() == reflect.Pointer && v.Type().Implements(unmarshalerType):
		d.leaf(loc, raw, v)
	case v.Kind() == reflect.Struct:
		d.object(loc, raw, v)
	case v.Kind() == reflect.Slice && v.Type().Elem().Kind() == reflect.Struct:
		var elems []json.RawMessage
		if err := json.Unmarshal(raw, &elems); err != nil {
			d.add(orFile(loc), "want a list [ … ] of objects, got %s", kindOf(raw))
			return
		}
		v.Set(reflect.MakeSlice(v.Type(), len(elems), len(elems)))
		for i, e := range elems {
			if loc == "routes" {
				d.route = i
			}
			d.value(fmt.Sprintf("%s[%d]", loc, i), e, v.Index(i))
		}
		d.route = -1
	default:
		d.leaf(loc, raw, v)
	}
}

// object decodes a JSON object into the struct v key by key, reporting
// unknown and repeated keys.
func (d *decoder) object(loc string, raw []byte, v reflect.Value) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		d.badValue(orFile(loc), "want an object { … }, got %s", kindOf(raw))
		return
	}
	fields := jsonFields(v.Type())
	seen := map[string]bool{}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return // unreachable: the document was checked to be JSON
		}
		key := t.(string)
		var val json.RawMessage
		if err := dec.Decode(&val); err != nil {
			return
		}
		kloc := join(loc, key)
		i, ok := fields[key]
		if !ok {
			if msg, ok := retired[kloc]; ok {
				d.add(kloc, "%s", msg)
				continue
			}
			d.add(kloc, "unknown key%s", suggest(key, fields))
			continue
		}
		if seen[key] {
			d.add(kloc, "the key appears twice in this object: keep one")
			continue
		}
		seen[key] = true
		d.value(kloc, val, v.Field(i))
	}
}

// leaf decodes a value that encoding/json can decode whole.
func (d *decoder) leaf(loc string, raw []byte, v reflect.Value) {
	err := json.Unmarshal(raw, v.Addr().Interface())
	if err == nil {
		return
	}
	v.SetZero() // a failed value is reported, not half-applied; the default stands
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		d.badValue(loc, "want %s, got %s", describe(v.Type()), kindOf(raw))
		return
	}
	d.badValue(loc, "%v", err)
}

func join(loc, key string) string {
	if loc == "" {
		return key
	}
	return loc + "." + key
}

func orFile(loc string) string {
	if loc == "" {
		return "(file)"
	}
	return loc
}

// retired are keys that earlier versions read, with what to write instead.
var retired = map[string]string{
	"timeouts.read": "no longer read: it bounded the whole request, so a large upload on a slow link was cut; " +
		`corsgate now bounds the time between two reads of the body: write "clientBody" (default "60s"), or remove the key`,
	"timeouts.write": "no longer read: it bounded the whole response, so a large download on a slow link was cut; " +
		`corsgate now bounds each write to the client and each wait for the upstream: write "clientSend" and "upstreamRead" (default "60s" each), or remove the key`,
}

// jsonFields maps the JSON keys of struct type t to field indexes.
func jsonFields(t reflect.Type) map[string]int {
	out := map[string]int{}
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if name == "" || name == "-" {
			continue
		}
		out[name] = i
	}
	return out
}

// suggest names the key that was probably meant: the same key in another
// case, or one that differs by a letter or two; otherwise it lists the keys
// allowed here.
func suggest(key string, fields map[string]int) string {
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	best, bestDist := "", 3
	for _, k := range keys {
		if strings.EqualFold(k, key) {
			return fmt.Sprintf(": write %q (keys are case-sensitive)", k)
		}
		if dist := editDistance(strings.ToLower(k), strings.ToLower(key)); dist < bestDist {
			best, bestDist = k, dist
		}
	}
	if best != "" {
		return fmt.Sprintf(": did you mean %q?", best)
	}
	return ": the keys here are " + strings.Join(keys, ", ")
}

// editDistance is the Levenshtein distance of a and b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// describe says what JSON a Go type wants, with an example.
func describe(t reflect.Type) string {
	switch {
	case t == reflect.TypeFor[*Duration]() || t == reflect.TypeFor[Duration]():
		return `a duration string such as "10s"`
	case t.Kind() == reflect.String:
		return `a string "…"`
	case t.Kind() == reflect.Bool:
		return "true or false"
	case t.Kind() == reflect.Int, t.Kind() == reflect.Int64, t.Kind() == reflect.Pointer && t.Elem().Kind() == reflect.Int64:
		return "a whole number such as 600"
	case t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.String:
		return `a list of strings, such as ["…", "…"]`
	}
	return "a value of another type"
}

// kindOf names the JSON type of raw, with the value when it is short.
func kindOf(raw []byte) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return "nothing"
	}
	kind := "a number"
	switch raw[0] {
	case '"':
		kind = "a string"
	case '{':
		return "an object"
	case '[':
		return "a list"
	case 't', 'f':
		kind = "a boolean"
	case 'n':
		return "null"
	}
	if len(raw) <= 40 {
		return kind + " (" + string(raw) + ")"
	}
	return kind
}
