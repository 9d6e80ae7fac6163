package main

import (
	"context"
	"fmt"
	"io"
	"masthead/internal/config"
	"net"
	"strings"
	"time"

	"masthead/internal/server"
)

func runServe(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) error {
	start := time.Now()
	cfg, rest, err := parseFlags("serve", "[flags]", args, env, stderr, nil)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return fmt.Errorf("unexpected arguments %q", rest)
	}
	log := cfg.Logger(stderr)
	ln, err := listen(&cfg)
	if err != nil {
		return err
	}
	app, err := server.Open(ctx, cfg, log)
	if err != nil {
		ln.Close()
		return err
	}
	defer app.Close()
	log.Info("serving", "addr", ln.Addr().String(), "url", cfg.BaseURL, "database", app.Store.Dialect(), "startup", time.Since(start).Round(time.Millisecond))
	return app.Serve(ctx, ln)
}

// listen opens the configured address. When the port is 0 the system picks
// one, and a base URL derived from the address is corrected to match.
func listen(cfg *config.Config) (net.Listener, error) {
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w (choose another address with --addr)", cfg.Addr, err)
	}
	if strings.HasSuffix(cfg.BaseURL, ":0") {
		_, port, _ := net.SplitHostPort(ln.Addr().String())
		cfg.BaseURL = strings.TrimSuffix(cfg.BaseURL, "0") + port
	}
	return ln, nil
}
