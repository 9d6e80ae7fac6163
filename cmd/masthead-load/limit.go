package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"syscall"
	"time"
)

// limitPage is one answer of the limit server: the bytes a Masthead page
// was, kept in a file next to the manifest.
type limitPage struct {
	Path        string `json:"path"` // with the query, as requested
	ContentType string `json:"content_type"`
	File        string `json:"file"` // relative to the manifest
}

// limit serves fixed bodies from memory with nothing else to do: the most
// requests per second a Go HTTP server can answer on this machine, the
// yardstick for Masthead's own figures. It runs until SIGINT or SIGTERM.
func limit(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("masthead-load limit", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:8090", "loopback address to listen on")
	manifest := fs.String("pages", "", "JSON list of {path, content_type, file} to answer with")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: masthead-load limit -pages MANIFEST [-addr 127.0.0.1:PORT]\n\nAnswers every listed path with the same bytes from memory, and /readyz.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *manifest == "" {
		fs.Usage()
		return errors.New("-pages is required")
	}
	host, _, err := net.SplitHostPort(*addr)
	if ip := net.ParseIP(host); err != nil || (host != "localhost" && (ip == nil || !ip.IsLoopback())) {
		return fmt.Errorf("-addr %q: the limit server listens on loopback only", *addr)
	}
	pages, err := loadLimitPages(*manifest)
	if err != nil {
		return err
	}
	type answer struct {
		body  []byte
		ctype string
		size  string
	}
	answers := map[string]answer{"/readyz": {[]byte("ready\n"), "text/plain; charset=utf-8", "6"}}
	for path, p := range pages {
		answers[path] = answer{p.body, p.ctype, strconv.Itoa(len(p.body))}
	}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a, ok := answers[r.URL.RequestURI()]
		if !ok {
			http.NotFound(w, r)
			return
		}
		hd := w.Header()
		hd["Content-Type"] = []string{a.ctype}
		hd["Content-Length"] = []string{a.size}
		w.Write(a.body)
	})
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		srv.Close()
	}()
	fmt.Fprintf(out, "limit server on http://%s, %d pages\n", ln.Addr(), len(pages))
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

type limitBody struct {
	body  []byte
	ctype string
}

func loadLimitPages(manifest string) (map[string]limitBody, error) {
	b, err := os.ReadFile(manifest)
	if err != nil {
		return nil, err
	}
	var list []limitPage
	if err := json.Unmarshal(b, &list); err != nil {
		return nil, fmt.Errorf("%s: %w", manifest, err)
	}
	pages := map[string]limitBody{}
	for _, p := range list {
		body, err := os.ReadFile(filepath.Join(filepath.Dir(manifest), p.File))
		if err != nil {
			return nil, err
		}
		pages[p.Path] = limitBody{body, p.ContentType}
	}
	return pages, nil
}

// writeLimitPages writes a manifest and the bodies for the limit server
// into dir.
func writeLimitPages(dir string, pages []fetchedPage) (string, error) {
	var list []limitPage
	for i, p := range pages {
		name := fmt.Sprintf("page-%d.body", i)
		if err := os.WriteFile(filepath.Join(dir, name), p.body, 0o644); err != nil {
			return "", err
		}
		list = append(list, limitPage{Path: p.path, ContentType: p.ctype, File: name})
	}
	b, err := json.Marshal(list)
	if err != nil {
		return "", err
	}
	manifest := filepath.Join(dir, "pages.json")
	return manifest, os.WriteFile(manifest, b, 0o644)
}
