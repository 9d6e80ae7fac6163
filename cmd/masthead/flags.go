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

// subcommand checks that args start with name, the one subcommand of
// command; for help or anything else it prints the command's usage and
// returns flag.ErrHelp or errUsage.
func subcommand(args []string, command, name string, usage func(io.Writer), stdout, stderr io.Writer) error {
	if len(args) == 0 {
		usage(stderr)
		return errUsage
	}
	switch args[0] {
	case name:
		return nil
	case "-h", "--help", "-help", "help":
		usage(stdout)
		return flag.ErrHelp
	}
	fmt.Fprintf(stderr, "masthead %s: unknown subcommand %q\n\n", command, args[0])
	usage(stderr)
	return errUsage
}
