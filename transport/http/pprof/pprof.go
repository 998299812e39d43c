// Package pprof serves the runtime profiles under /debug/pprof/ in the
// formats `go tool pprof` and `go tool trace` read.
//
// Unlike importing net/http/pprof, using this package registers nothing on
// http.DefaultServeMux: mount the handler where you want it, for example
//
//	srv.HandlePrefix("/debug/pprof", pprof.NewHandler())
package pprof

import (
	"bufio"
	"bytes"
	"fmt"
	"html"
	"io"
	"net/http"
	"os"
	"runtime"
	"runtime/pprof"
	"runtime/trace"
	"sort"
	"strconv"
	"strings"
	"time"
)

// prefix is the path the handler serves below.
const prefix = "/debug/pprof/"

// maxSeconds bounds the "seconds" parameter of the CPU profile and the
// execution trace.
const maxSeconds = 600

// NewHandler returns a handler serving, below /debug/pprof/:
//
//   - "" (the index): the list of profiles;
//   - cmdline: the command line, NUL-separated;
//   - profile: a CPU profile over ?seconds= (default 30);
//   - trace: an execution trace over ?seconds= (default 1);
//   - symbol: program counters to function names (GET counts, POST looks up);
//   - any profile known to runtime/pprof (heap, goroutine, allocs, block,
//     mutex, threadcreate), in the binary format or as text with ?debug=1
//     (?debug=2 for goroutine stacks); ?gc=1 runs a GC before a heap profile.
//
// Requests for other paths are answered with 404. The handler is safe for
// concurrent use; only one CPU profile can run at a time.
func NewHandler() http.Handler {
	return http.HandlerFunc(serve)
}

func serve(w http.ResponseWriter, r *http.Request) {
	name, ok := strings.CutPrefix(r.URL.Path, prefix)
	if !ok {
		if r.URL.Path+"/" == prefix {
			name, ok = "", true
		}
	}
	if !ok {
		http.NotFound(w, r)
		return
	}
	switch name {
	case "":
		index(w)
	case "cmdline":
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = io.WriteString(w, strings.Join(os.Args, "\x00"))
	case "profile":
		cpuProfile(w, r)
	case "trace":
		execTrace(w, r)
	case "symbol":
		symbol(w, r)
	default:
		named(w, r, name)
	}
}

func fail(w http.ResponseWriter, code int, msg string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Go-Pprof", "1")
	w.Header().Del("Content-Disposition")
	w.WriteHeader(code)
	_, _ = io.WriteString(w, msg+"\n")
}

func seconds(r *http.Request, def int) (time.Duration, error) {
	s := r.FormValue("seconds")
	if s == "" {
		return time.Duration(def) * time.Second, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 || n > maxSeconds {
		return 0, fmt.Errorf("invalid seconds %q: want 1 to %d", s, maxSeconds)
	}
	return time.Duration(n) * time.Second, nil
}

func binary(w http.ResponseWriter, filename string) {
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Disposition", `attachment; filename="`+filename+`"`)
}

// sleep waits d or until the client goes away, and reports whether the
// full time passed.
func sleep(r *http.Request, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		return false
	}
}

func cpuProfile(w http.ResponseWriter, r *http.Request) {
	d, err := seconds(r, 30)
	if err != nil {
		fail(w, http.StatusBadRequest, err.Error())
		return
	}
	var buf bytes.Buffer
	if err := pprof.StartCPUProfile(&buf); err != nil {
		fail(w, http.StatusInternalServerError, "could not enable CPU profiling: "+err.Error())
		return
	}
	sleep(r, d)
	pprof.StopCPUProfile()
	binary(w, "profile")
	_, _ = w.Write(buf.Bytes())
}

func execTrace(w http.ResponseWriter, r *http.Request) {
	d, err := seconds(r, 1)
	if err != nil {
		fail(w, http.StatusBadRequest, err.Error())
		return
	}
	var buf bytes.Buffer
	if err := trace.Start(&buf); err != nil {
		fail(w, http.StatusInternalServerError, "could not enable tracing: "+err.Error())
		return
	}
	sleep(r, d)
	trace.Stop()
	binary(w, "trace")
	_, _ = w.Write(buf.Bytes())
}

func named(w http.ResponseWriter, r *http.Request, name string) {
	p := pprof.Lookup(name)
	if p == nil {
		fail(w, http.StatusNotFound, "unknown profile "+strconv.Quote(name))
		return
	}
	debug, _ := strconv.Atoi(r.FormValue("debug"))
	if name == "heap" && r.FormValue("gc") != "" {
		runtime.GC()
	}
	if debug != 0 {
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	} else {
		binary(w, name)
	}
	_ = p.WriteTo(w, debug)
}

// symbol answers the protocol `go tool pprof` uses to symbolize addresses:
// a GET tells that symbols are available, a POST (or a GET with a query)
// lists "0xADDR name" for each address of a "+"-separated list.
func symbol(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	var out bytes.Buffer
	out.WriteString("num_symbols: 1\n")
	var in *bufio.Reader
	if r.Method == http.MethodPost {
		in = bufio.NewReader(io.LimitReader(r.Body, 1<<20))
	} else {
		in = bufio.NewReader(strings.NewReader(r.URL.RawQuery))
	}
	for {
		word, err := in.ReadSlice('+')
		word = bytes.TrimSuffix(word, []byte("+"))
		if pc, perr := strconv.ParseUint(string(word), 0, 64); perr == nil && pc != 0 {
			if f := runtime.FuncForPC(uintptr(pc)); f != nil {
				fmt.Fprintf(&out, "%#x %s\n", pc, f.Name())
			}
		}
		if err != nil {
			break
		}
	}
	_, _ = w.Write(out.Bytes())
}

func index(w http.ResponseWriter) {
	profiles := pprof.Profiles()
	sort.Slice(profiles, func(i, j int) bool { return profiles[i].Name() < profiles[j].Name() })
	var b strings.Builder
	b.WriteString("<html><head><title>/debug/pprof/</title></head><body>\n<p>/debug/pprof/</p>\n<table>\n")
	for _, p := range profiles {
		n := html.EscapeString(p.Name())
		fmt.Fprintf(&b, "<tr><td>%d</td><td><a href=\"%s?debug=1\">%s</a></td></tr>\n", p.Count(), n, n)
	}
	b.WriteString("<tr><td></td><td><a href=\"cmdline\">cmdline</a></td></tr>\n")
	b.WriteString("<tr><td></td><td><a href=\"profile\">profile</a></td></tr>\n")
	b.WriteString("<tr><td></td><td><a href=\"symbol\">symbol</a></td></tr>\n")
	b.WriteString("<tr><td></td><td><a href=\"trace\">trace</a></td></tr>\n")
	b.WriteString("</table>\n</body></html>\n")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = io.WriteString(w, b.String())
}
