package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strings"

	"masthead/internal/editorial"
	"masthead/internal/server"
	"masthead/internal/store"
)

const userSynopsis = "create --email EMAIL --role ROLE [--name NAME] [flags]"

func userUsage(w io.Writer) {
	fmt.Fprintf(w, "Usage: masthead user %s\n\n", userSynopsis)
	fmt.Fprintln(w, "Creates a desk account with an author profile. ROLE is contributor, author, editor,")
	fmt.Fprintln(w, "admin or owner. The password is read from MASTHEAD_PASSWORD or asked for on the")
	fmt.Fprintln(w, "terminal. An owner can always be created this way, also to get back into a desk")
	fmt.Fprintln(w, "whose owners lost their passwords.")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Run 'masthead user create --help' for the flags.")
}

func runUser(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) error {
	if err := subcommand(args, "user", "create", userUsage, stdout, stderr); err != nil {
		return err
	}
	var email, role, name string
	cfg, rest, err := parseFlags("user create", "--email EMAIL --role ROLE [--name NAME] [flags]", args[1:], env, stderr,
		func(fs *flag.FlagSet) {
			fs.StringVar(&email, "email", "", "email address to sign in with (required)")
			fs.StringVar(&role, "role", "", "contributor, author, editor, admin or owner (required)")
			fs.StringVar(&name, "name", "", "name in bylines (default: made from the email)")
		}, "data", "database-url", "auto-migrate")
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return fmt.Errorf("unexpected arguments %q", rest)
	}
	switch {
	case email == "" && role == "":
		return errors.New("--email and --role are required")
	case email == "":
		return errors.New("--email is required")
	case role == "":
		return errors.New("--role is required")
	}
	if !store.Role(role).Valid() {
		return fmt.Errorf("--role: %q is not contributor, author, editor, admin or owner", role)
	}
	password := env("MASTHEAD_PASSWORD")
	if password == "" {
		if password, err = askPassword(os.Stdin, stderr); err != nil {
			return err
		}
	}
	// Check the policy before touching the database.
	if msg := editorial.CheckPassword(password, email); msg != "" {
		return fmt.Errorf("password: %s", msg)
	}

	st, err := server.OpenStore(ctx, cfg, cfg.AutoMigrate, cfg.Logger(io.Discard))
	if err != nil {
		return err
	}
	defer st.Close()
	svc, err := editorial.New(editorial.Options{Store: st, BaseURL: cfg.BaseURL, Logger: cfg.Logger(stderr)})
	if err != nil {
		return err
	}
	acc, err := svc.CreateAccount(ctx, editorial.NewAccount{Email: email, Name: name, Role: store.Role(role), Password: password})
	var fe editorial.FieldErrors
	if errors.As(err, &fe) {
		var lines []string
		for _, k := range slices.Sorted(maps.Keys(fe)) {
			lines = append(lines, fmt.Sprintf("  %s: %s", k, fe[k]))
		}
		return fmt.Errorf("the account was not created:\n%s", strings.Join(lines, "\n"))
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Created %s account %s. Sign in at %s/desk/\n", acc.Role, acc.Email, cfg.BaseURL)
	return nil
}

// askPassword reads a password and its confirmation, a line each. The
// terminal shows what is typed; MASTHEAD_PASSWORD avoids that.
func askPassword(in io.Reader, prompt io.Writer) (string, error) {
	r := bufio.NewReader(in)
	read := func(label string) (string, error) {
		fmt.Fprint(prompt, label)
		line, err := r.ReadString('\n')
		if err != nil && (err != io.EOF || line == "") {
			return "", errors.New("no password given: set MASTHEAD_PASSWORD or type it when asked")
		}
		return strings.TrimRight(line, "\r\n"), nil
	}
	fmt.Fprintln(prompt, "Choose a password of at least 10 characters (it is shown as you type; set MASTHEAD_PASSWORD to avoid that).")
	p1, err := read("Password: ")
	if err != nil {
		return "", err
	}
	p2, err := read("Password again: ")
	if err != nil {
		return "", err
	}
	if p1 != p2 {
		return "", errors.New("the two passwords differ")
	}
	return p1, nil
}
