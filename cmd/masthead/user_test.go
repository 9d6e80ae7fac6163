package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
)

func TestUserCreate(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	run1 := func(env map[string]string, args ...string) (int, string, string) {
		var out, errOut bytes.Buffer
		code := run(context.Background(), append([]string{"user"}, args...), envFrom(env), &out, &errOut)
		return code, out.String(), errOut.String()
	}
	env := map[string]string{"MASTHEAD_DATA": data, "MASTHEAD_PASSWORD": "a good long password"}

	code, out, errOut := run1(env, "create", "--email", "ops@example.org", "--role", "owner", "--name", "Olu Ops")
	if code != 0 || !strings.Contains(out, "Created owner account ops@example.org") {
		t.Fatalf("create: exit %d\nstdout %s\nstderr %s", code, out, errOut)
	}
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"duplicate", env, []string{"create", "--email", "ops@example.org", "--role", "editor"}, "email: An account with this email already exists."},
		{"short password", map[string]string{"MASTHEAD_DATA": data, "MASTHEAD_PASSWORD": "short"}, []string{"create", "--email", "x@example.org", "--role", "editor"}, "password: Use at least 10 characters."},
		{"password is the email", map[string]string{"MASTHEAD_DATA": data, "MASTHEAD_PASSWORD": "x@example.org"}, []string{"create", "--email", "x@example.org", "--role", "editor"}, "cannot be your email"},
		{"bad role", env, []string{"create", "--email", "x@example.org", "--role", "chief"}, `"chief" is not contributor`},
		{"no email", env, []string{"create", "--role", "owner"}, "--email is required"},
		{"bad email", env, []string{"create", "--email", "not-an-email", "--role", "owner"}, "email: Enter one email address"},
	}
	for _, tt := range tests {
		code, _, errOut := run1(tt.env, tt.args...)
		if code != 1 || !strings.Contains(errOut, tt.want) {
			t.Errorf("%s: exit %d, stderr:\n%s", tt.name, code, errOut)
		}
	}
	if code, _, _ := run1(env, "delete"); code != 2 {
		t.Errorf("unknown subcommand: exit %d", code)
	}
}
