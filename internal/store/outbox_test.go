package store_test

import (
	"context"
	"testing"
	"time"

	"masthead/internal/store"
)

func TestOutbox(t *testing.T) {
	run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		invite := store.OutboxMessage{CreatedAt: t0, Kind: "invite", To: "New.Writer@example.org", ToName: "New Writer",
			From: "The Review <desk@example.org>", Subject: "You are invited", Text: "Follow the link.", HTML: "<p>Follow the link.</p>",
			Headers: map[string]string{"Reply-To": "editor@example.org"}, Status: store.OutboxStored, SentAt: t0}
		if err := s.AddOutboxMessage(ctx, &invite); err != nil {
			t.Fatalf("AddOutboxMessage: %v", err)
		}
		reset := store.OutboxMessage{CreatedAt: t0.Add(time.Minute), Kind: "reset", To: "ann@example.org", Subject: "Reset", Text: "Link."}
		if err := s.AddOutboxMessage(ctx, &reset); err != nil {
			t.Fatal(err)
		}
		if reset.Status != store.OutboxQueued || reset.Headers != nil {
			t.Errorf("defaults: %+v", reset)
		}
		got, err := s.OutboxMessageByID(ctx, invite.ID)
		if err != nil {
			t.Fatal(err)
		}
		equal(t, "OutboxMessageByID", got, invite)

		page, err := s.OutboxMessages(ctx, store.OutboxFilter{})
		if err != nil {
			t.Fatal(err)
		}
		equal(t, "outbox, newest first", page, store.OutboxPage{Messages: []store.OutboxMessage{reset, invite}, Total: 2})
		page, err = s.OutboxMessages(ctx, store.OutboxFilter{To: "new.writer@EXAMPLE.org"})
		if err != nil {
			t.Fatal(err)
		}
		equal(t, "messages to one address, any case", page, store.OutboxPage{Messages: []store.OutboxMessage{invite}, Total: 1})
		page, _ = s.OutboxMessages(ctx, store.OutboxFilter{Kind: "reset", Status: store.OutboxQueued})
		if page.Total != 1 || page.Messages[0].ID != reset.ID {
			t.Errorf("queued resets: %+v", page)
		}

		if err := s.MarkOutboxFailed(ctx, reset.ID, t0.Add(2*time.Minute), "550 no such user"); err != nil {
			t.Fatal(err)
		}
		got, _ = s.OutboxMessageByID(ctx, reset.ID)
		if got.Status != store.OutboxFailed || got.Error != "550 no such user" || !got.SentAt.Equal(t0.Add(2*time.Minute)) {
			t.Errorf("after MarkOutboxFailed: %+v", got)
		}
		if err := s.MarkOutboxSent(ctx, reset.ID, t0.Add(3*time.Minute)); err != nil {
			t.Fatal(err)
		}
		got, _ = s.OutboxMessageByID(ctx, reset.ID)
		if got.Status != store.OutboxSent || got.Error != "" || !got.SentAt.Equal(t0.Add(3*time.Minute)) {
			t.Errorf("after MarkOutboxSent: %+v", got)
		}

		wantErr(t, "AddOutboxMessage without recipient", s.AddOutboxMessage(ctx, &store.OutboxMessage{Subject: "x"}), store.ErrInvalid)
		wantErr(t, "AddOutboxMessage with a bad status", s.AddOutboxMessage(ctx, &store.OutboxMessage{To: "a@example.org", Status: "lost"}), store.ErrInvalid)
		wantErr(t, "MarkOutboxSent(missing)", s.MarkOutboxSent(ctx, reset.ID+100, t0), store.ErrNotFound)
		_, err = s.OutboxMessageByID(ctx, reset.ID+100)
		wantErr(t, "OutboxMessageByID(missing)", err, store.ErrNotFound)
	})
}
