// Package nginxtest starts Debian's nginx for corsgate's tests: a real,
// non-Go backend (or a CORS-snippet proxy) on a loopback port, with
// everything it writes kept in a temporary directory. It never touches a
// system nginx: each server gets its own generated configuration ("daemon
// off", its own pid file, error log and temp paths), runs in its own
// process group, and is stopped by its process id and reaped. Its master
// gets SIGTERM when the test process ends, however it ends (package
// testproc), and stops its workers before it exits.
//
// nginx is found through $NGINX, then nginx on $PATH, then /usr/sbin/nginx
// (Debian installs it there, outside an ordinary user's PATH). Without it,
// Require skips the test, except under CI=true, where it fails: CI installs
// nginx-light.
package nginxtest

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/corskit/cors/cmd/corsgate/internal/testproc"
)

// Find returns the nginx executable.
func Find() (string, error) {
	if p := os.Getenv("NGINX"); p != "" {
		return exec.LookPath(p)
	}
	if p, err := exec.LookPath("nginx"); err == nil {
		return p, nil
	}
	if _, err := os.Stat("/usr/sbin/nginx"); err == nil {
		return "/usr/sbin/nginx", nil
	}
	return "", errors.New("no nginx found ($NGINX, nginx on $PATH, /usr/sbin/nginx); on Debian: apt-get install nginx-light")
}

// Require returns the nginx executable, or skips t (fails it under
// CI=true) when there is none.
func Require(t testing.TB) string {
	t.Helper()
	p, err := Find()
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true and nginx is required: %v", err)
		}
		t.Skipf("skipping: %v", err)
	}
	return p
}

// Config is what a test server serves.
type Config struct {
	// HTTP holds directives for the http block (map, upstream, …).
	HTTP string
	// Server holds directives for the server block (locations). The
	// listen directive and the document root (Root) are set already.
	Server string
	// Files are written under the document root: path → content.
	Files map[string]string
	// Workers is worker_processes; 0 means 1.
	Workers int
}

// Server is one running nginx.
type Server struct {
	// Addr is 127.0.0.1:PORT, URL is http://127.0.0.1:PORT.
	Addr, URL string
	// Dir holds the configuration, logs, temp files and the document root
	// (Dir/www).
	Dir  string
	bin  string
	conf string
	proc *testproc.Process // nil when stopped
}

// Start starts nginx serving c on a free loopback port, and stops it when
// the test ends.
func Start(t testing.TB, c Config) *Server {
	t.Helper()
	bin := Require(t)
	s := &Server{bin: bin, Dir: t.TempDir()}
	if err := s.write(c); err != nil {
		t.Fatal(err)
	}
	var err error
	for range 3 { // the free port may be taken between the probe and nginx's bind
		if err = s.pickPort(c); err != nil {
			break
		}
		if err = s.start(); err == nil {
			break
		}
	}
	if err != nil {
		t.Fatalf("starting nginx: %v", err)
	}
	t.Cleanup(func() { s.Stop() })
	return s
}

func (s *Server) write(c Config) error {
	www := filepath.Join(s.Dir, "www")
	for _, d := range []string{www, filepath.Join(s.Dir, "tmp")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
	}
	// The directory is the test's own; nginx's workers must read it.
	if err := os.Chmod(s.Dir, 0o755); err != nil {
		return err
	}
	for name, content := range c.Files {
		p := filepath.Join(www, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			return err
		}
	}
	return nil
}

func (s *Server) pickPort(c Config) error {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	s.Addr = l.Addr().String()
	l.Close()
	s.URL = "http://" + s.Addr
	workers := c.Workers
	if workers == 0 {
		workers = 1
	}
	user := ""
	if os.Geteuid() == 0 {
		user = "user root;" // workers would otherwise drop to nobody, who cannot read the test's directory
	}
	d := s.Dir
	s.conf = filepath.Join(d, "nginx.conf")
	conf := fmt.Sprintf(`daemon off;
%s
worker_processes %d;
pid %s/nginx.pid;
error_log %s/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path %s/tmp/body;
  proxy_temp_path %s/tmp/proxy;
  fastcgi_temp_path %s/tmp/fastcgi;
  uwsgi_temp_path %s/tmp/uwsgi;
  scgi_temp_path %s/tmp/scgi;
  types { text/html html; application/json json; text/plain txt; text/css css; }
  default_type application/octet-stream;
  keepalive_requests 100000;
%s
  server {
    listen %s;
    root %s/www;
%s
  }
}
`, user, workers, d, d, d, d, d, d, d, c.HTTP, s.Addr, d, c.Server)
	return os.WriteFile(s.conf, []byte(conf), 0o644)
}

func (s *Server) start() error {
	cmd := exec.Command(s.bin, "-p", s.Dir, "-c", s.conf, "-e", filepath.Join(s.Dir, "error.log"))
	// SIGTERM, not SIGKILL: the master's fast shutdown stops its workers,
	// which a killed master would leave running.
	p, err := testproc.Start(cmd, syscall.SIGTERM)
	if err != nil {
		return err
	}
	s.proc = p
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-p.Done():
			s.proc = nil
			log, _ := os.ReadFile(filepath.Join(s.Dir, "error.log"))
			return fmt.Errorf("nginx exited: %s", strings.TrimSpace(string(log)))
		default:
		}
		if c, err := net.DialTimeout("tcp", s.Addr, time.Second); err == nil {
			c.Close()
			return nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	s.Stop()
	return errors.New("nginx did not accept connections within 15s")
}

// Stop stops nginx (SIGTERM, nginx's fast shutdown, to its process group)
// and reaps it; after 10 s it is killed. Stopping a stopped server does
// nothing.
func (s *Server) Stop() {
	if s.proc == nil {
		return
	}
	s.proc.Stop(syscall.SIGTERM, 10*time.Second)
	s.proc = nil // the master exits after its workers
}

// Pid returns the master's process id, 0 when stopped.
func (s *Server) Pid() int {
	if s.proc == nil {
		return 0
	}
	return s.proc.Pid()
}

// Restart starts the stopped server again on the same port.
func (s *Server) Restart() error {
	if s.proc != nil {
		return errors.New("nginx is running")
	}
	return s.start()
}

// ErrorLog returns what nginx wrote to its error log.
func (s *Server) ErrorLog() string {
	b, _ := os.ReadFile(filepath.Join(s.Dir, "error.log"))
	return string(b)
}

// Backend is the API that corsgate's tests and benchmark put behind the
// gateway, written as teams write nginx configurations:
//
//	/static/app.css, /static/notes.txt   files from the document root
//	/api/items.json                      200, a small JSON document
//	/api/wrong/…                         200 JSON with the classic hand-written
//	                                     CORS bugs: Access-Control-Allow-Origin
//	                                     twice ("*" and the reflected Origin),
//	                                     credentials with them, and a Vary of its own
//	/api/fail                            500 JSON, without CORS headers (no "always")
//	anything else                        404
func Backend() Config {
	return Config{
		Files: map[string]string{
			"static/app.css":   "body { color: #222; }\n",
			"static/notes.txt": "notes from nginx\n",
		},
		Server: `
    location = /api/items.json {
      default_type application/json;
      return 200 '{"items":[1,2,3],"from":"nginx"}';
    }
    location /api/wrong/ {
      default_type application/json;
      add_header Access-Control-Allow-Origin "*" always;
      add_header Access-Control-Allow-Origin $http_origin always;
      add_header Access-Control-Allow-Credentials "true" always;
      add_header Access-Control-Allow-Methods "GET, POST, PUT, DELETE, OPTIONS" always;
      add_header Vary "Accept-Encoding" always;
      return 200 '{"wrong":true}';
    }
    location = /api/fail {
      default_type application/json;
      add_header Access-Control-Allow-Origin "*";
      return 500 '{"error":"boom"}';
    }`,
	}
}
