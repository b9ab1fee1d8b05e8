package driver

import (
	"context"
	"encoding/json"
	"fmt"
)

// FirstPage returns the tab Firefox opened at start-up, as a Page. A tab
// that NewPage opens has no DevTools; the first one has them when Firefox
// was started with --devtools (FirefoxOptions.Args), which is what makes
// Firefox's network monitor record it, and export a HAR of each page it
// loads when devtools.netmonitor.har.enableAutoExportToFile is set.
func (f *Firefox) FirstPage(ctx context.Context) (Page, error) {
	res, err := f.command(ctx, "browsingContext.getTree", map[string]any{"maxDepth": 0})
	if err != nil {
		return nil, err
	}
	var tree struct {
		Contexts []struct {
			Context string `json:"context"`
		} `json:"contexts"`
	}
	if err := json.Unmarshal(res, &tree); err != nil || len(tree.Contexts) == 0 {
		return nil, fmt.Errorf("browsingContext.getTree: no top-level browsing context in %s", res)
	}
	id := tree.Contexts[0].Context
	f.mu.Lock()
	defer f.mu.Unlock()
	if p := f.pages[id]; p != nil {
		return p, nil
	}
	p := &firefoxPage{f: f, id: id, console: NewConsole()}
	f.pages[id] = p
	return p, nil
}
