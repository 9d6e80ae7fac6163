package store

import (
	"strings"
	"testing"
	"testing/fstest"
)

func TestMigrationListsMatch(t *testing.T) {
	lite, err := migrations(dialectSQLite)
	if err != nil {
		t.Fatal(err)
	}
	pg, err := migrations(dialectPostgres)
	if err != nil {
		t.Fatal(err)
	}
	if len(lite) == 0 || len(lite) != len(pg) {
		t.Fatalf("SQLite has %d migrations, PostgreSQL %d; want the same, at least one", len(lite), len(pg))
	}
	for i := range lite {
		if lite[i].version != pg[i].version || lite[i].description != pg[i].description {
			t.Errorf("migration %d: SQLite %d %q, PostgreSQL %d %q", i, lite[i].version, lite[i].description, pg[i].version, pg[i].description)
		}
	}
}

func TestLoadMigrations(t *testing.T) {
	tests := []struct {
		name    string
		files   fstest.MapFS
		want    int
		wantErr string
	}{
		{
			name: "ordered",
			files: fstest.MapFS{
				"m/0002_more.sql":    {Data: []byte("-- More.\nSELECT 2;")},
				"m/0001_initial.sql": {Data: []byte("-- Initial.\nSELECT 1;")},
				"m/README":           {Data: []byte("not a migration")},
			},
			want: 2,
		},
		{
			name:    "gap",
			files:   fstest.MapFS{"m/0001_a.sql": {Data: []byte("-- A.\n")}, "m/0003_c.sql": {Data: []byte("-- C.\n")}},
			wantErr: "expected version 2, found 3",
		},
		{
			name:    "no description",
			files:   fstest.MapFS{"m/0001_a.sql": {Data: []byte("CREATE TABLE a (id INTEGER);\n")}},
			wantErr: "first line",
		},
		{
			name:    "bad name",
			files:   fstest.MapFS{"m/initial.sql": {Data: []byte("-- A.\n")}},
			wantErr: "NNNN_name.sql",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ms, err := loadMigrations(tt.files, "m")
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(ms) != tt.want {
				t.Fatalf("got %d migrations, want %d", len(ms), tt.want)
			}
			for i, m := range ms {
				if m.version != i+1 {
					t.Errorf("migration %d has version %d", i, m.version)
				}
			}
			if ms[0].description != "Initial." {
				t.Errorf("description = %q", ms[0].description)
			}
		})
	}
}

func TestBind(t *testing.T) {
	pg := runner{dialect: dialectPostgres}
	lite := runner{dialect: dialectSQLite}
	q := `SELECT a FROM t WHERE x = ? AND y IN (?, ?)`
	if got, want := pg.bind(q), `SELECT a FROM t WHERE x = $1 AND y IN ($2, $3)`; got != want {
		t.Errorf("postgres bind = %q, want %q", got, want)
	}
	if got := lite.bind(q); got != q {
		t.Errorf("sqlite bind changed the query: %q", got)
	}
}

func TestCheckSlug(t *testing.T) {
	for _, s := range []string{"a", "kabul-market-2025", "Mixed_Case.v2", "tilde~"} {
		if err := checkSlug(s); err != nil {
			t.Errorf("checkSlug(%q) = %v, want nil", s, err)
		}
	}
	for _, s := range []string{"", ".", "..", "two words", "a/b", "q?", "é", strings.Repeat("a", 201)} {
		if err := checkSlug(s); err == nil {
			t.Errorf("checkSlug(%q) = nil, want an error", s)
		}
	}
}
