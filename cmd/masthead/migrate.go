package main

import (
	"context"
	"fmt"
	"io"

	"masthead/internal/server"
)

func runMigrate(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) error {
	cfg, rest, err := parseFlags("migrate", "[flags]", args, env, stderr, nil, "data", "database-url", "log-level", "log-format")
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return fmt.Errorf("unexpected arguments %q", rest)
	}
	st, err := server.OpenStore(ctx, cfg, true, cfg.Logger(stderr))
	if err != nil {
		return err
	}
	defer st.Close()
	cur, known, err := st.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "database schema is at version %d of %d (%s)\n", cur, known, st.Dialect())
	return nil
}
