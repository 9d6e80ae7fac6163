package desk

import (
	"archive/zip"
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func zipOf(t testing.TB, files map[string]string) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, body := range files {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(body))
	}
	zw.Close()
	return buf.Bytes()
}

func TestUnpackZip(t *testing.T) {
	cases := []struct {
		name  string
		files map[string]string
		want  string // in the refusal; empty for success
	}{
		{"export", map[string]string{"site/posts/a.md": "a", "site/authors/b.md": "b"}, ""},
		{"dot-dot", map[string]string{"../x.md": "x"}, "outside its folder"},
		{"nested dot-dot", map[string]string{"site/../../x.md": "x"}, "outside its folder"},
		{"absolute", map[string]string{"/etc/x.md": "x"}, "outside its folder"},
		{"backslash", map[string]string{`site\..\x.md`: "x"}, "outside its folder"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tmp := t.TempDir()
			src := filepath.Join(tmp, "upload")
			os.WriteFile(src, zipOf(t, c.files), 0o600)
			err := unpackZip(src, filepath.Join(tmp, "out"))
			if c.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				if got := exportRoot(filepath.Join(tmp, "out")); got != filepath.Join(tmp, "out", "site") {
					t.Errorf("export root %s", got)
				}
				return
			}
			up, ok := errors.AsType[*uploadProblem](err)
			if !ok || !strings.Contains(up.msg, c.want) {
				t.Fatalf("err = %v, want a refusal saying %q", err, c.want)
			}
		})
	}
	tmp := t.TempDir()
	src := filepath.Join(tmp, "upload")
	os.WriteFile(src, []byte("not a zip"), 0o600)
	if _, ok := errors.AsType[*uploadProblem](unpackZip(src, filepath.Join(tmp, "out"))); !ok {
		t.Errorf("a file that is no zip is not refused as such")
	}
}

func TestDetectImportFormat(t *testing.T) {
	cases := []struct{ name, head, want string }{
		{"export.zip", "PK\x03\x04rest", "markdown"},
		{"site.json", "\xef\xbb\xbf {\"db\":[]}", "ghost"},
		{"export.xml", `<?xml version="1.0"?><rss xmlns:wp="http://wordpress.org/export/1.2/">`, "wordpress"},
		{"feed.xml", `<?xml version="1.0"?><rss version="2.0">`, "feed"},
		{"feed.xml", `<feed xmlns="http://www.w3.org/2005/Atom">`, "feed"},
		{"notes.txt", "words", ""},
	}
	for _, c := range cases {
		got, ok := detectImportFormat(c.name, []byte(c.head))
		if got != c.want || ok != (c.want != "") {
			t.Errorf("%s: %q, %v; want %q", c.name, got, ok, c.want)
		}
	}
}

// FuzzUnpackZip feeds arbitrary files to the unpacker: it never panics
// and never writes outside its folder.
func FuzzUnpackZip(f *testing.F) {
	f.Add(zipOf(f, map[string]string{"site/posts/a.md": "a"}))
	f.Add(zipOf(f, map[string]string{"../a.md": "a"}))
	f.Add([]byte("PK\x03\x04"))
	f.Fuzz(func(t *testing.T, data []byte) {
		tmp := t.TempDir()
		src := filepath.Join(tmp, "upload")
		if err := os.WriteFile(src, data, 0o600); err != nil {
			t.Fatal(err)
		}
		out := filepath.Join(tmp, "out")
		unpackZip(src, out)
		filepath.WalkDir(tmp, func(p string, de os.DirEntry, err error) error {
			if p != tmp && p != src && p != out && !strings.HasPrefix(p, out+string(filepath.Separator)) {
				t.Errorf("written outside the folder: %s", p)
			}
			return nil
		})
	})
}
