package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"masthead/internal/demo"
	"masthead/internal/store"
)

func TestTopicsDetectCommand(t *testing.T) {
	ctx := context.Background()
	data := t.TempDir()
	dir := filepath.Join(t.TempDir(), "import")
	if err := demo.WriteImportDir(dir); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	if code := run(ctx, []string{"import", "--data", data, dir}, envFrom(nil), &out, &errOut); code != 0 {
		t.Fatalf("import: exit %d: %s", code, errOut.String())
	}
	st, err := store.Open(ctx, store.Options{SQLitePath: filepath.Join(data, "masthead.db")})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	texts, total, err := st.PostTexts(ctx, 0, 1000)
	if err != nil || total == 0 {
		t.Fatalf("PostTexts: %d, %v", total, err)
	}
	// A custom entry the desk added: the detector must use it.
	var target store.PostText
	for _, p := range texts {
		if strings.Contains(p.Body, "the") {
			target = p
			break
		}
	}
	word := strings.Fields(target.Title)[0]
	custom := store.TopicEntry{Slug: "desk-entry", Name: "Desk Entry", Kind: "other", Aliases: []string{target.Title}}
	if err := st.SaveTopicEntry(ctx, custom, time.Now()); err != nil {
		t.Fatal(err)
	}

	detect := func(args ...string) string {
		t.Helper()
		out.Reset()
		errOut.Reset()
		args = append([]string{"topics", "detect", "--data", data}, args...)
		if code := run(ctx, args, envFrom(nil), &out, &errOut); code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, errOut.String())
		}
		if !strings.Contains(errOut.String(), "detecting topics: ") || !strings.Contains(errOut.String(), "(100%)") {
			t.Errorf("no progress line: %q", errOut.String())
		}
		return out.String()
	}
	report := detect("--dry-run")
	if !strings.Contains(report, "dry run") {
		t.Errorf("dry run reported %q", report)
	}
	if counts, _ := st.TopicPostCounts(ctx, store.PostFilter{}); len(counts) != 0 {
		t.Errorf("dry run stored %v", counts)
	}
	got, _ := st.PostTopics(ctx, target.ID)
	if len(got) != 0 {
		t.Fatalf("dry run stored topics: %+v", got)
	}

	report = detect()
	if !strings.Contains(report, "topics stored: ") {
		t.Errorf("report %q", report)
	}
	got, err = st.PostTopics(ctx, target.ID)
	if err != nil {
		t.Fatal(err)
	}
	found := map[string]store.PostTopicStatus{}
	for _, pt := range got {
		found[pt.Topic] = pt.Status
	}
	if found["desk-entry"] != store.TopicSuggested {
		t.Errorf("post %q (%q): topics %v, want the desk's entry suggested", target.Slug, word, found)
	}
	// Something of the built-in gazetteer is found in the sample magazine.
	all := 0
	for _, p := range texts {
		ts, _ := st.PostTopics(ctx, p.ID)
		all += len(ts)
	}
	if all <= len(got) {
		t.Errorf("only %d topics found in %d posts", all, len(texts))
	}

	// An editor's rejection survives another run, even with --accept,
	// which accepts the rest.
	if err := st.DecidePostTopic(ctx, target.ID, "desk-entry", store.TopicRejected, time.Now()); err != nil {
		t.Fatal(err)
	}
	detect("--accept")
	got, _ = st.PostTopics(ctx, target.ID)
	for _, pt := range got {
		if pt.Topic == "desk-entry" && pt.Status != store.TopicRejected {
			t.Errorf("rejection undone: %+v", pt)
		}
	}
	counts, err := st.TopicPostCounts(ctx, store.PostFilter{})
	if err != nil {
		t.Fatal(err)
	}
	accepted := 0
	for _, n := range counts {
		accepted += n
	}
	if accepted != all-1 {
		t.Errorf("--accept accepted %d topics, want every one of %d but the rejected one", accepted, all)
	}
}
