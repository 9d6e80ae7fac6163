package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"masthead/internal/config"
	"masthead/internal/demo"
	"masthead/internal/importer"
	"masthead/internal/server"
)

func runDemo(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) error {
	// The demo ignores MASTHEAD_DATA and MASTHEAD_DATABASE_URL: it must never
	// write sample content into a real publication's database.
	demoEnv := func(k string) string {
		switch k {
		case "MASTHEAD_DATA", "MASTHEAD_DATABASE_URL", "MASTHEAD_DATABASE_URL_FILE":
			return ""
		}
		return env(k)
	}
	cfg, rest, err := parseFlags("demo", "[flags]", args, demoEnv, stderr, nil, "addr", "base-url", "log-level", "log-format")
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return fmt.Errorf("unexpected arguments %q", rest)
	}
	tmp, err := os.MkdirTemp("", "masthead-demo-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	cfg.DataDir = filepath.Join(tmp, "data")
	cfg.AutoMigrate = true
	log := cfg.Logger(stderr)

	ln, err := listen(&cfg)
	if err != nil {
		return err
	}
	if err := fillDemo(ctx, cfg, filepath.Join(tmp, "import")); err != nil {
		ln.Close()
		return err
	}
	app, err := server.Open(ctx, cfg, log)
	if err != nil {
		ln.Close()
		return err
	}
	defer app.Close()
	fmt.Fprintf(stdout, "\nMasthead demo: a sample magazine on a temporary SQLite database in %s\n", tmp)
	fmt.Fprintf(stdout, "Open %s/ in your browser. Press Ctrl+C to stop; the demo data is then deleted.\n\n", cfg.BaseURL)
	return app.Serve(ctx, ln)
}

// fillDemo writes the sample content as a Markdown directory and imports it
// through the same importer a publication uses.
func fillDemo(ctx context.Context, cfg config.Config, importDir string) error {
	if err := demo.WriteImportDir(importDir); err != nil {
		return fmt.Errorf("write sample content: %w", err)
	}
	st, err := server.OpenStore(ctx, cfg, true, cfg.Logger(io.Discard))
	if err != nil {
		return err
	}
	defer st.Close()
	m, err := server.OpenMedia(cfg)
	if err != nil {
		return err
	}
	if _, err := importer.ImportMarkdownDir(ctx, st, m, importDir, importer.Options{}); err != nil {
		return fmt.Errorf("import sample content: %w", err)
	}
	for k, v := range demo.Settings() {
		if err := st.SetSetting(ctx, k, v); err != nil {
			return err
		}
	}
	return nil
}
