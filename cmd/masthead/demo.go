package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"masthead/internal/config"
	"masthead/internal/demo"
	"masthead/internal/editorial"
	"masthead/internal/importer"
	"masthead/internal/server"
	"masthead/internal/store"
	"masthead/internal/topics/topicstore"
)

// demoOwner is the desk login the demo creates.
const demoOwner = "admin@example.org"

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
	password, err := fillDemo(ctx, cfg, filepath.Join(tmp, "import"))
	if err != nil {
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
	fmt.Fprintf(stdout, "Open %s/ in your browser. Press Ctrl+C to stop; the demo data is then deleted.\n", cfg.BaseURL)
	fmt.Fprintf(stdout, "The editorial desk is at %s/desk/ — sign in as %s with the password %s\n\n", cfg.BaseURL, demoOwner, password)
	return app.Serve(ctx, ln)
}

// fillDemo writes the sample content as a Markdown directory and imports it
// through the same importer a publication uses, and creates the desk's
// owner with a random password, which it returns.
func fillDemo(ctx context.Context, cfg config.Config, importDir string) (string, error) {
	if err := demo.WriteImportDir(importDir); err != nil {
		return "", fmt.Errorf("write sample content: %w", err)
	}
	st, err := server.OpenStore(ctx, cfg, true, cfg.Logger(io.Discard))
	if err != nil {
		return "", err
	}
	defer st.Close()
	m, err := server.OpenMedia(cfg)
	if err != nil {
		return "", err
	}
	if _, err := importer.ImportMarkdownDir(ctx, st, m, importDir, importer.Options{}); err != nil {
		return "", fmt.Errorf("import sample content: %w", err)
	}
	for k, v := range demo.Settings() {
		if err := st.SetSetting(ctx, k, v); err != nil {
			return "", err
		}
	}
	if err := acceptDemoTopics(ctx, st); err != nil {
		return "", fmt.Errorf("tag the sample articles with topics: %w", err)
	}
	var b [12]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	password := base64.RawURLEncoding.EncodeToString(b[:])
	svc, err := editorial.New(editorial.Options{Store: st, Media: m, BaseURL: cfg.BaseURL})
	if err != nil {
		return "", err
	}
	if _, err := svc.CreateAccount(ctx, editorial.NewAccount{Email: demoOwner, Name: "Demo Editor", Role: store.RoleOwner, Password: password}); err != nil {
		return "", fmt.Errorf("create the demo owner: %w", err)
	}
	return password, nil
}

// acceptDemoTopics tags the sample articles with the countries and
// organisations they name, as the magazine's editors would have accepted
// them in the desk, so that the topic pages have something to show.
func acceptDemoTopics(ctx context.Context, st *store.Store) error {
	g, _, err := topicstore.LoadGazetteer(ctx, st)
	if err != nil {
		return err
	}
	d := g.Compile()
	texts, _, err := st.PostTexts(ctx, 0, 1000)
	if err != nil {
		return err
	}
	now := time.Now()
	for _, p := range texts {
		if err := st.SetDetectedTopics(ctx, p.ID, topicstore.Detect(d, p.Title, p.Deck, p.Body, true), now); err != nil {
			return err
		}
	}
	return nil
}
