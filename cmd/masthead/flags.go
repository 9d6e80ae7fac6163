package main

import (
	"errors"
	"flag"
	"fmt"
	"io"

	"masthead/internal/config"
)

// parseFlags parses a subcommand's arguments: the configuration flags named
// in only (all when empty) plus whatever extra adds, and validates the
// configuration. It returns the remaining positional arguments.
func parseFlags(name, synopsis string, args []string, env func(string) string, stderr io.Writer, extra func(*flag.FlagSet), only ...string) (config.Config, []string, error) {
	fs := flag.NewFlagSet("masthead "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	raw, envErr := config.Register(fs, env, only...)
	if extra != nil {
		extra(fs)
	}
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: masthead %s %s\n\nFlags:\n", name, synopsis)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return config.Config{}, nil, err
		}
		return config.Config{}, nil, errUsage
	}
	cfg, err := config.Parse(raw)
	if err = errors.Join(envErr, err); err != nil {
		return cfg, nil, err
	}
	return cfg, fs.Args(), nil
}
