package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"sync"
	"time"
)

// Limits protect the server from slow and greedy clients. A client that
// trickles its request header is cut off after ReadHeaderTimeout, one that
// trickles its body after ReadTimeout; a reader too slow to take the answer
// loses it after WriteTimeout; an idle keep-alive connection is closed
// after IdleTimeout; a request header over MaxHeaderBytes is refused.
type Limits struct {
	ReadHeaderTimeout time.Duration
	ReadTimeout       time.Duration
	WriteTimeout      time.Duration
	IdleTimeout       time.Duration
	MaxHeaderBytes    int
}

// DefaultLimits are generous for readers on slow phones and short enough
// that a few thousand idle or trickling connections cost little.
func DefaultLimits() Limits {
	return Limits{
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
	}
}

// httpServer is the public HTTP server with the limits applied.
func (a *App) httpServer() *http.Server {
	return &http.Server{
		Handler:           a.Handler(),
		ReadHeaderTimeout: a.Limits.ReadHeaderTimeout,
		ReadTimeout:       a.Limits.ReadTimeout,
		WriteTimeout:      a.Limits.WriteTimeout,
		IdleTimeout:       a.Limits.IdleTimeout,
		MaxHeaderBytes:    a.Limits.MaxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(a.log.Handler(), slog.LevelWarn),
	}
}

// listenPprof opens the profiler's listener when --pprof-addr is set. It is
// opened with the rest of the application so that a taken port stops the
// start, not a later request.
func (a *App) listenPprof() error {
	if a.cfg.PprofAddr == "" {
		return nil
	}
	ln, err := net.Listen("tcp", a.cfg.PprofAddr)
	if err != nil {
		return fmt.Errorf("pprof: listen: %w", err)
	}
	// The configuration allows loopback names only; check what was bound,
	// since "localhost" is whatever the resolver says.
	if tcp, ok := ln.Addr().(*net.TCPAddr); !ok || !tcp.IP.IsLoopback() {
		ln.Close()
		return fmt.Errorf("pprof: %s is not a loopback address", ln.Addr())
	}
	a.pprof = ln
	return nil
}

// PprofAddr is the address the profiler listens on, or nil when it is off.
func (a *App) PprofAddr() net.Addr {
	if a.pprof == nil {
		return nil
	}
	return a.pprof.Addr()
}

// pprofHandler serves Go's profiles under /debug/pprof/. Its routes are
// mounted on a mux of their own, never on the public one.
func pprofHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /debug/pprof/", pprof.Index)
	mux.HandleFunc("GET /debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("GET /debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("GET /debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("POST /debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("GET /debug/pprof/trace", pprof.Trace)
	return mux
}

// servePprof serves the profiler until ctx ends.
func (a *App) servePprof(ctx context.Context, background *sync.WaitGroup) {
	if a.pprof == nil {
		return
	}
	// No write timeout: a CPU profile or trace streams for as long as it
	// was asked to run.
	srv := &http.Server{Handler: pprofHandler(), ReadHeaderTimeout: 5 * time.Second,
		ErrorLog: slog.NewLogLogger(a.log.Handler(), slog.LevelWarn)}
	a.log.Info("serving the profiler", "addr", a.pprof.Addr().String())
	background.Go(func() {
		if err := srv.Serve(a.pprof); err != nil && !errors.Is(err, http.ErrServerClosed) && !errors.Is(err, net.ErrClosed) {
			a.log.Error("profiler listener stopped", "err", err)
		}
	})
	background.Go(func() {
		<-ctx.Done()
		srv.Close() // a running profile is of no use to anyone after shutdown
	})
}
