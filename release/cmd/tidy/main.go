// Command tidy runs "go mod tidy" in every module of the repository (the
// modules go.work lists) as the module's users see it: outside the
// workspace, with the root module at the version the module's go.mod
// requires, served from this repository's own history by a module proxy
// in a temporary directory. Nothing about corskit is asked of the
// internet; other modules come from the module cache or GOPROXY.
//
//	go run ./release/cmd/tidy -diff        # make tidy-check: fail if any go.mod or go.sum is not tidy
//	go run ./release/cmd/tidy              # make tidy: tidy them
//	go run ./release/cmd/tidy -root REV    # make bump-root REV=…: require the root at commit or tag REV, then tidy
//
// Each nested module requires the root at a real version: a release tag
// (from v0.1.0), or until then the pseudo-version of a commit on main. A
// change to the root's code therefore never touches a nested go.sum; a
// nested module that starts using a root package or API added since its
// required version needs -root with a commit on main that has it (the
// commit must be on main for good: a pseudo-version names it forever).
package main

import (
	"bytes"
	"flag"
	"fmt"
	"log"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"

	"github.com/corskit/cors/release"
)

func main() {
	diff := flag.Bool("diff", false, "do not change any file; print what tidying would change and fail if anything would")
	root := flag.String("root", "", "first make every nested module require the root at this commit or tag")
	flag.Usage = func() {
		fmt.Fprintf(os.Stderr, "usage: go run ./release/cmd/tidy [-diff] [-root REV]\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	log.SetFlags(0)
	log.SetPrefix("tidy: ")
	if *diff && *root != "" {
		log.Fatal("-diff and -root together: -root changes go.mod files")
	}

	wd, err := os.Getwd()
	if err != nil {
		log.Fatal(err)
	}
	repo, err := release.OpenRepo(wd)
	if err != nil {
		log.Fatal(err)
	}
	dirs, err := repo.Workspace()
	if err != nil {
		log.Fatal(err)
	}
	if *root != "" {
		v, err := repo.PseudoVersion(*root)
		if err != nil {
			log.Fatal(err)
		}
		for _, d := range dirs {
			if err := requireRoot(filepath.Join(repo.Dir, d), v); err != nil {
				log.Fatalf("%s: %v", d, err)
			}
		}
	}
	if err := replaceInWorkspace(repo, dirs, !*diff); err != nil {
		log.Fatal(err)
	}

	tmp, err := os.MkdirTemp("", "corskit-tidy-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(tmp)
	proxy := release.Proxy{Dir: tmp}
	served := map[string]bool{}
	failed := 0
	for _, d := range dirs {
		dir := filepath.Join(repo.Dir, d)
		goMod, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err != nil {
			log.Fatal(err)
		}
		v, err := release.RequiredRoot(goMod)
		if err != nil {
			log.Fatalf("%s: %v", d, err)
		}
		if v != "" && !served[v] {
			m, err := repo.AtVersion(release.RootPath, "", v)
			if err != nil {
				log.Fatalf("%s requires %s@%s: %v", d, release.RootPath, v, err)
			}
			if _, err := proxy.Add(m); err != nil {
				log.Fatal(err)
			}
			served[v] = true
		}
		args := []string{"mod", "tidy"}
		if *diff {
			args = append(args, "-diff")
		}
		cmd := exec.Command("go", args...)
		cmd.Dir = dir
		cmd.Env = env(proxy)
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Run(); err != nil {
			failed++
			fmt.Fprintf(os.Stderr, "== %s: go %s: %v\n%s", d, strings.Join(args, " "), err, out.String())
			if v != "" {
				fmt.Fprintf(os.Stderr, "(%s requires %s@%s; if it now uses a root package or API added since, land that on main first, then run make bump-root REV=<that commit>)\n", d, release.RootPath, v)
			}
			continue
		}
		fmt.Printf("ok  %s\n", d)
	}
	if failed > 0 {
		if *diff {
			log.Fatalf("%d of %d modules are not tidy: run make tidy", failed, len(dirs))
		}
		log.Fatalf("%d of %d modules failed", failed, len(dirs))
	}
}

// env is the environment of go mod tidy: outside the workspace, the
// root's versions from the local proxy before any other, and no checksum
// database lookup for corskit (the go.sum files hold its hashes; the
// public database has never heard of an unreleased version).
func env(p release.Proxy) []string {
	goproxy := strings.TrimSpace(goEnv("GOPROXY"))
	nosumdb := strings.TrimSpace(goEnv("GONOSUMDB"))
	if nosumdb != "" {
		nosumdb += ","
	}
	e := slices.DeleteFunc(os.Environ(), func(kv string) bool {
		return strings.HasPrefix(kv, "GOWORK=") || strings.HasPrefix(kv, "GOPROXY=") || strings.HasPrefix(kv, "GONOSUMDB=") || strings.HasPrefix(kv, "GOFLAGS=")
	})
	return append(e,
		"GOWORK=off",
		"GOFLAGS=-mod=mod",
		"GOPROXY="+p.URL()+","+goproxy,
		"GONOSUMDB="+nosumdb+release.RootPath,
	)
}

func goEnv(name string) string {
	out, err := exec.Command("go", "env", name).Output()
	if err != nil {
		log.Fatal(err)
	}
	return string(out)
}

// replaceInWorkspace checks, or with fix makes, go.work replace every
// version of the root that a nested module requires with the root's
// directory. The workspace's "use ." does not do it: it makes the root a
// main module but leaves the requirement on the version in the module
// graph, whose go.mod the go command then fetches (golang/go#66516), and an
// unreleased version is nowhere to be fetched.
func replaceInWorkspace(repo release.Repo, dirs []string, fix bool) error {
	want := map[string]bool{}
	for _, d := range dirs {
		data, err := os.ReadFile(filepath.Join(repo.Dir, d, "go.mod"))
		if err != nil {
			return err
		}
		v, err := release.RequiredRoot(data)
		if err != nil {
			return fmt.Errorf("%s: %v", d, err)
		}
		if v != "" {
			want[v] = true
		}
	}
	have, err := repo.WorkspaceReplaces()
	if err != nil {
		return err
	}
	var edits []string
	for v := range want {
		if !have[v] {
			edits = append(edits, "-replace="+release.RootPath+"@"+v+"=./")
		}
	}
	for v := range have {
		if !want[v] {
			edits = append(edits, "-dropreplace="+release.RootPath+"@"+v)
		}
	}
	if len(edits) == 0 {
		return nil
	}
	if !fix {
		return fmt.Errorf("go.work must replace exactly the versions of %s that modules require (%v), with ./: run make tidy (go work edit %s)", release.RootPath, slices.Sorted(maps.Keys(want)), strings.Join(edits, " "))
	}
	cmd := exec.Command("go", append([]string{"work", "edit"}, edits...)...)
	cmd.Dir = repo.Dir
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go work edit: %v: %s", err, out)
	}
	fmt.Printf("go.work: %s\n", strings.Join(edits, " "))
	return nil
}

// requireRoot sets the root requirement of the module in dir, if it has
// one, to v.
func requireRoot(dir, v string) error {
	file := filepath.Join(dir, "go.mod")
	data, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	old, err := release.RequiredRoot(data)
	if err != nil || old == "" || old == v {
		return err
	}
	cmd := exec.Command("go", "mod", "edit", "-require="+release.RootPath+"@"+v)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOWORK=off")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go mod edit: %v: %s", err, out)
	}
	fmt.Printf("%s: %s@%s (was %s)\n", dir, release.RootPath, v, old)
	return nil
}
