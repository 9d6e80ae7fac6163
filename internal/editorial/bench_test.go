package editorial_test

import (
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"masthead/internal/content"
	"masthead/internal/editorial"
	"masthead/internal/store"
	"masthead/internal/store/storetest"
)

// BenchmarkSaveDraft saves a draft of a long article, as the editor's Save
// button does: checks, the post, its byline and tags, and a revision, in
// one transaction. The target is a median under 20 ms on SQLite; the
// median is reported as median-ms.
func BenchmarkSaveDraft(b *testing.B) {
	st := storetest.Open(b)
	r := newRig(b, st)
	writer := r.member(store.RoleEditor)
	for _, name := range []string{"World", "Economy"} {
		tag := content.Tag{Slug: strings.ToLower(name), Name: name, IsSection: true}
		if err := st.SaveTag(r.ctx, &tag); err != nil {
			b.Fatal(err)
		}
	}
	var body strings.Builder
	for i := range 60 {
		body.WriteString("A paragraph of the article with a [link](https://example.org/) and *emphasis*, number " + strconv.Itoa(i) + ".\n\n")
	}
	p, err := r.svc.CreateDraft(r.ctx, writer, editorial.PostInput{Title: "A long read", Body: body.String(), Tags: "World, Economy"})
	if err != nil {
		b.Fatal(err)
	}
	in := editorial.InputOf(p)
	times := make([]time.Duration, 0, b.N)
	for i := 0; b.Loop(); i++ {
		in.Body = body.String() + "Edit " + strconv.Itoa(i) + ".\n"
		start := time.Now()
		if _, err := r.svc.SavePost(r.ctx, writer, p.ID, in, editorial.SaveOptions{}); err != nil {
			b.Fatal(err)
		}
		times = append(times, time.Since(start))
	}
	b.StopTimer()
	if len(times) > 0 {
		slices.Sort(times)
		b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "median-ms")
	}
}
