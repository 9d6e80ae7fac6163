package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"sort"
	"time"

	"masthead/internal/server"
	"masthead/internal/store"
	"masthead/internal/topics"
	"masthead/internal/topics/topicstore"
)

func topicsUsage(w io.Writer) {
	fmt.Fprintln(w, "Usage: masthead topics detect [flags]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Finds the countries, organisations and other actors every article names,")
	fmt.Fprintln(w, "with the built-in gazetteer and the desk's additions, and stores them as")
	fmt.Fprintln(w, "suggested topics, with a progress line. Topics an editor accepted or")
	fmt.Fprintln(w, "rejected stay as they are. With --accept, found topics are accepted at once")
	fmt.Fprintln(w, "(except those an editor rejected), for an archive nobody will review article")
	fmt.Fprintln(w, "by article.")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Run 'masthead topics detect --help' for the flags.")
}

// topicsBatch is how many posts are read per query.
const topicsBatch = 200

func runTopics(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) error {
	if err := subcommand(args, "topics", "detect", topicsUsage, stdout, stderr); err != nil {
		return err
	}
	var accept, dryRun bool
	cfg, rest, err := parseFlags("topics detect", "[flags]", args[1:], env, stderr, func(fs *flag.FlagSet) {
		fs.BoolVar(&accept, "accept", false, "accept found topics instead of suggesting them (rejected ones stay rejected)")
		fs.BoolVar(&dryRun, "dry-run", false, "report what would be found and store nothing")
	}, "data", "database-url", "auto-migrate", "log-level", "log-format")
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return fmt.Errorf("unexpected arguments %q", rest)
	}
	st, err := server.OpenStore(ctx, cfg, cfg.AutoMigrate, cfg.Logger(stderr))
	if err != nil {
		return err
	}
	defer st.Close()
	g, err := loadGazetteer(ctx, st, stderr)
	if err != nil {
		return err
	}
	d := g.Compile()

	start := time.Now()
	progress := progressLine(stderr, "detecting topics")
	perTopic := map[string]int{}
	names := map[string]string{}
	var after int64
	done, withTopics := 0, 0
	for {
		texts, total, err := st.PostTexts(ctx, after, topicsBatch)
		if err != nil {
			return err
		}
		if done == 0 {
			progress(0, total)
		}
		if len(texts) == 0 {
			break
		}
		for _, p := range texts {
			if err := ctx.Err(); err != nil {
				return err
			}
			detected := topicstore.Detect(d, p.Title, p.Deck, p.Body, accept)
			for _, t := range detected {
				perTopic[t.Topic]++
				if e, ok := g.Entry(t.Topic); ok {
					names[t.Topic] = e.Name
				}
			}
			if len(detected) > 0 {
				withTopics++
			}
			if !dryRun {
				if err := st.SetDetectedTopics(ctx, p.ID, detected, time.Now()); err != nil {
					return err
				}
			}
			after = p.ID
			done++
		}
		progress(done, max(total, done))
	}
	verb := "stored"
	if dryRun {
		verb = "found (dry run, nothing stored)"
	}
	fmt.Fprintf(stdout, "topics %s: %d posts, %d with topics, %d distinct topics in %s\n",
		verb, done, withTopics, len(perTopic), time.Since(start).Round(time.Millisecond))
	top := make([]string, 0, len(perTopic))
	for slug := range perTopic {
		top = append(top, slug)
	}
	sort.Slice(top, func(i, j int) bool {
		if perTopic[top[i]] != perTopic[top[j]] {
			return perTopic[top[i]] > perTopic[top[j]]
		}
		return top[i] < top[j]
	})
	for i, slug := range top {
		if i == 10 {
			break
		}
		fmt.Fprintf(stdout, "  %-28s %d posts\n", names[slug], perTopic[slug])
	}
	return nil
}

// loadGazetteer returns the built-in gazetteer with the desk's stored
// additions and edits. A stored edit that no longer fits is reported and
// skipped rather than stopping the command.
func loadGazetteer(ctx context.Context, st *store.Store, stderr io.Writer) (*topics.Gazetteer, error) {
	g, skipped, err := topicstore.LoadGazetteer(ctx, st)
	if err != nil {
		return nil, err
	}
	for _, err := range skipped {
		fmt.Fprintf(stderr, "masthead topics: skipping a stored edit: %v\n", err)
	}
	return g, nil
}
