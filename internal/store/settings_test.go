package store_test

import (
	"context"
	"testing"

	"masthead/internal/store"
)

func TestSettings(t *testing.T) {
	run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		_, err := s.Setting(ctx, "site.name")
		wantErr(t, "missing setting", err, store.ErrNotFound)

		if err := s.SetSetting(ctx, "site.name", "The Dispatch"); err != nil {
			t.Fatal(err)
		}
		if err := s.SetSetting(ctx, "site.description", ""); err != nil {
			t.Fatal(err)
		}
		if err := s.SetSetting(ctx, "site.name", "The Foreign Dispatch"); err != nil {
			t.Fatal(err)
		}
		for key, want := range map[string]string{"site.name": "The Foreign Dispatch", "site.description": ""} {
			got, err := s.Setting(ctx, key)
			if err != nil || got != want {
				t.Errorf("Setting(%q) = %q, %v; want %q", key, got, err, want)
			}
		}
		wantErr(t, "empty key", s.SetSetting(ctx, "", "x"), store.ErrInvalid)
	})
}
