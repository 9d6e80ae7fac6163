package editorial_test

import (
	"bytes"
	"errors"
	"slices"
	"testing"
	"time"

	"masthead/internal/content"
	"masthead/internal/editorial"
	"masthead/internal/store"
	"masthead/internal/store/storetest"
)

var (
	contributor = store.RoleContributor
	author      = store.RoleAuthor
	editor      = store.RoleEditor
	admin       = store.RoleAdmin
	owner       = store.RoleOwner
)

// from returns the roles at least as powerful as r.
func from(r store.Role) []store.Role {
	roles := editorial.Roles()
	return roles[slices.Index(roles, r):]
}

// roleCase is one action tried by every role. do runs it as actor on a
// fresh world made for this case and returns the service's answer; check,
// when set, verifies that a refused action changed nothing.
type roleCase struct {
	name    string
	action  editorial.Action // the action the case exercises
	allowed []store.Role
	refusal error // what a refusal wraps; nil means ErrForbidden
	do      func(r *rig, actor editorial.Actor) (error, func() error)
}

// errNotListed marks a post list that leaves out what the role may not see.
var errNotListed = errors.New("not listed")

// postCase makes a case acting on a post of status written by the actor
// (own) or by someone else, and checks afterwards that a refusal left the
// post as it was.
func postCase(action editorial.Action, name string, allowed []store.Role, status content.Status, own bool,
	act func(r *rig, actor editorial.Actor, p content.Post) error) roleCase {
	return roleCase{name: name, action: action, allowed: allowed, do: func(r *rig, actor editorial.Actor) (error, func() error) {
		writer := actor.AuthorID
		if !own {
			writer = r.member(contributor).AuthorID
		}
		p := r.post(status, writer)
		err := act(r, actor, p)
		return err, func() error {
			got, err := r.st.PostByID(r.ctx, p.ID)
			if err != nil {
				return err
			}
			if got.Status != p.Status || got.Title != p.Title || len(got.Corrections) != 0 {
				return errors.New("refused action changed the post")
			}
			return nil
		}
	}}
}

func edit(r *rig, a editorial.Actor, p content.Post) error {
	in := input(p)
	in.Title = "Changed title"
	_, err := r.svc.SavePost(r.ctx, a, p.ID, in, editorial.SaveOptions{})
	return err
}

func roleCases() []roleCase {
	later := func(r *rig) time.Time { return r.clock.Now().Add(2 * time.Hour) }
	accountCase := func(action editorial.Action, name string, allowed []store.Role, targetRole store.Role, act func(r *rig, actor, target editorial.Actor) error) roleCase {
		return roleCase{name: name, action: action, allowed: allowed, do: func(r *rig, actor editorial.Actor) (error, func() error) {
			target := r.member(targetRole)
			err := act(r, actor, target)
			return err, func() error {
				got, err := r.st.AccountByID(r.ctx, target.ID)
				if err != nil {
					return err
				}
				if got.Role != target.Role || got.Disabled {
					return errors.New("refused action changed the account")
				}
				return nil
			}
		}}
	}
	all := editorial.Roles()
	return []roleCase{
		{name: "upload an image", action: editorial.MediaUpload, allowed: all, do: func(r *rig, a editorial.Actor) (error, func() error) {
			_, err := r.svc.Upload(r.ctx, a, "map.png", bytes.NewReader(pngBytes(r.t, 8, 8)), editorial.MediaText{Alt: "A map"})
			return err, nil
		}},
		{name: "see another's post in the review queue", action: editorial.ReviewQueue, allowed: from(editor), refusal: errNotListed,
			do: func(r *rig, a editorial.Actor) (error, func() error) {
				p := r.post(content.StatusReview, r.member(contributor).AuthorID)
				page, err := r.svc.Posts(r.ctx, a, editorial.PostList{Statuses: []content.Status{content.StatusReview}, Limit: 200})
				if err != nil {
					return err, nil
				}
				for _, x := range page.Posts {
					if x.ID == p.ID {
						return nil, nil
					}
				}
				return &editorial.Refusal{Reason: errNotListed, Message: "the post is not listed"}, nil
			}},
		{name: "create a draft", action: editorial.PostCreate, allowed: all, do: func(r *rig, a editorial.Actor) (error, func() error) {
			_, err := r.svc.CreateDraft(r.ctx, a, editorial.PostInput{Title: "A new piece", Body: "Text."})
			return err, nil
		}},
		postCase(editorial.PostEdit, "edit own draft", all, content.StatusDraft, true, edit),
		postCase(editorial.PostEdit, "edit own post in review", all, content.StatusReview, true, edit),
		postCase(editorial.PostEdit, "edit own published post", from(author), content.StatusPublished, true, edit),
		postCase(editorial.PostEdit, "edit another's draft", from(editor), content.StatusDraft, false, edit),
		postCase(editorial.PostView, "view another's draft", from(editor), content.StatusDraft, false, func(r *rig, a editorial.Actor, p content.Post) error {
			_, err := r.svc.Post(r.ctx, a, p.ID)
			return err
		}),
		postCase(editorial.PostSubmit, "submit own draft", all, content.StatusDraft, true, func(r *rig, a editorial.Actor, p content.Post) error {
			_, err := r.svc.SubmitForReview(r.ctx, a, p.ID)
			return err
		}),
		postCase(editorial.PostSubmit, "submit another's draft", from(editor), content.StatusDraft, false, func(r *rig, a editorial.Actor, p content.Post) error {
			_, err := r.svc.SubmitForReview(r.ctx, a, p.ID)
			return err
		}),
		postCase(editorial.PostPublish, "publish own draft", from(author), content.StatusDraft, true, func(r *rig, a editorial.Actor, p content.Post) error {
			_, err := r.svc.Publish(r.ctx, a, p.ID)
			return err
		}),
		postCase(editorial.PostPublish, "publish another's post in review", from(editor), content.StatusReview, false, func(r *rig, a editorial.Actor, p content.Post) error {
			_, err := r.svc.Publish(r.ctx, a, p.ID)
			return err
		}),
		postCase(editorial.PostSchedule, "schedule own draft", from(author), content.StatusDraft, true, func(r *rig, a editorial.Actor, p content.Post) error {
			_, err := r.svc.Schedule(r.ctx, a, p.ID, later(r))
			return err
		}),
		postCase(editorial.PostSchedule, "schedule another's draft", from(editor), content.StatusReview, false, func(r *rig, a editorial.Actor, p content.Post) error {
			_, err := r.svc.Schedule(r.ctx, a, p.ID, later(r))
			return err
		}),
		postCase(editorial.PostUnpublish, "unpublish own post", from(author), content.StatusPublished, true, func(r *rig, a editorial.Actor, p content.Post) error {
			_, err := r.svc.Unpublish(r.ctx, a, p.ID)
			return err
		}),
		postCase(editorial.PostUnpublish, "unpublish another's post", from(editor), content.StatusPublished, false, func(r *rig, a editorial.Actor, p content.Post) error {
			_, err := r.svc.Unpublish(r.ctx, a, p.ID)
			return err
		}),
		postCase(editorial.PostArchive, "archive another's post", from(editor), content.StatusPublished, false, func(r *rig, a editorial.Actor, p content.Post) error {
			_, err := r.svc.Archive(r.ctx, a, p.ID)
			return err
		}),
		postCase(editorial.PostDelete, "delete own draft", all, content.StatusDraft, true, func(r *rig, a editorial.Actor, p content.Post) error {
			return r.svc.DeletePost(r.ctx, a, p.ID)
		}),
		postCase(editorial.PostDelete, "delete own published post", from(editor), content.StatusPublished, true, func(r *rig, a editorial.Actor, p content.Post) error {
			return r.svc.DeletePost(r.ctx, a, p.ID)
		}),
		postCase(editorial.PostDelete, "delete another's draft", from(editor), content.StatusDraft, false, func(r *rig, a editorial.Actor, p content.Post) error {
			return r.svc.DeletePost(r.ctx, a, p.ID)
		}),
		postCase(editorial.PostCorrect, "add a correction", from(editor), content.StatusPublished, true, func(r *rig, a editorial.Actor, p content.Post) error {
			_, err := r.svc.AddCorrection(r.ctx, a, p.ID, "An earlier version misspelt a name.")
			return err
		}),
		// For writers the tags field offers existing tags only; a new name
		// is refused next to the field.
		{name: "create a tag while saving", action: editorial.TagCreate, allowed: from(editor), refusal: editorial.ErrInvalid, do: func(r *rig, a editorial.Actor) (error, func() error) {
			p := r.post(content.StatusDraft, a.AuthorID)
			in := input(p)
			in.Tags = "A brand new tag"
			_, err := r.svc.SavePost(r.ctx, a, p.ID, in, editorial.SaveOptions{})
			return err, func() error {
				if _, err := r.st.TagBySlug(r.ctx, "a-brand-new-tag"); !errors.Is(err, store.ErrNotFound) {
					return errors.New("refused save created the tag")
				}
				return nil
			}
		}},
		{name: "make a tag a section", action: editorial.TagManage, allowed: from(editor), do: func(r *rig, a editorial.Actor) (error, func() error) {
			tag := content.Tag{Slug: "economy-" + a.Email[:3], Name: "Economy " + a.Email}
			if err := r.st.SaveTag(r.ctx, &tag); err != nil {
				return err, nil
			}
			_, err := r.svc.SaveTag(r.ctx, a, tag.ID, editorial.TagInput{Name: tag.Name, Slug: tag.Slug, IsSection: true, Position: 1})
			return err, nil
		}},
		{name: "edit own profile", action: editorial.AuthorEdit, allowed: all, do: func(r *rig, a editorial.Actor) (error, func() error) {
			_, err := r.svc.SaveAuthor(r.ctx, a, a.AuthorID, editorial.AuthorInput{Name: "New Name", Bio: "A bio."})
			return err, nil
		}},
		{name: "edit another's profile", action: editorial.AuthorEdit, allowed: from(editor), do: func(r *rig, a editorial.Actor) (error, func() error) {
			other := r.member(contributor)
			_, err := r.svc.SaveAuthor(r.ctx, a, other.AuthorID, editorial.AuthorInput{Name: "Renamed"})
			return err, func() error {
				got, err := r.st.AuthorByID(r.ctx, other.AuthorID)
				if err == nil && got.Name == "Renamed" {
					return errors.New("refused edit renamed the author")
				}
				return err
			}
		}},
		{name: "create a guest author", action: editorial.AuthorCreate, allowed: from(editor), do: func(r *rig, a editorial.Actor) (error, func() error) {
			_, err := r.svc.SaveAuthor(r.ctx, a, 0, editorial.AuthorInput{Name: "Guest " + a.Email})
			return err, nil
		}},
		{name: "edit the text of another's image", action: editorial.MediaEdit, allowed: from(editor), do: func(r *rig, a editorial.Actor) (error, func() error) {
			other := r.member(contributor)
			item := store.MediaItem{Key: "uploads/x-" + a.Email[:5] + ".png", Format: "png", Width: 10, Height: 10, UploadedBy: other.ID}
			if err := r.st.CreateMediaItem(r.ctx, &item); err != nil {
				return err, nil
			}
			_, err := r.svc.UpdateMediaText(r.ctx, a, item.ID, editorial.MediaText{Alt: "A map"})
			return err, nil
		}},
		{name: "edit the text of own image", action: editorial.MediaEdit, allowed: all, do: func(r *rig, a editorial.Actor) (error, func() error) {
			item := store.MediaItem{Key: "uploads/own-" + a.Email[:5] + ".png", Format: "png", Width: 10, Height: 10, UploadedBy: a.ID}
			if err := r.st.CreateMediaItem(r.ctx, &item); err != nil {
				return err, nil
			}
			_, err := r.svc.UpdateMediaText(r.ctx, a, item.ID, editorial.MediaText{Alt: "A map"})
			return err, nil
		}},
		{name: "change settings", action: editorial.SettingsEdit, allowed: from(admin), do: func(r *rig, a editorial.Actor) (error, func() error) {
			err := r.svc.SaveSettings(r.ctx, a, editorial.SiteSettings{Name: "Renamed " + string(a.Role), Timezone: "Europe/Berlin"})
			return err, func() error {
				ss, err := r.svc.Settings(r.ctx)
				if err == nil && ss.Name == "Renamed "+string(a.Role) {
					return errors.New("refused change renamed the site")
				}
				return err
			}
		}},
		{name: "list accounts", action: editorial.AccountsView, allowed: from(admin), do: func(r *rig, a editorial.Actor) (error, func() error) {
			_, err := r.svc.Accounts(r.ctx, a)
			return err, nil
		}},
		{name: "read the audit log", action: editorial.AuditView, allowed: from(admin), do: func(r *rig, a editorial.Actor) (error, func() error) {
			_, err := r.svc.AuditLog(r.ctx, a, store.AuditFilter{})
			return err, nil
		}},
		{name: "read the outbox", action: editorial.OutboxView, allowed: from(admin), do: func(r *rig, a editorial.Actor) (error, func() error) {
			_, err := r.svc.Outbox(r.ctx, a, store.OutboxFilter{})
			return err, nil
		}},
		{name: "invite a contributor", action: editorial.AccountInvite, allowed: from(admin), do: func(r *rig, a editorial.Actor) (error, func() error) {
			_, err := r.svc.Invite(r.ctx, a, "new-"+string(a.Role)+"@example.org", contributor)
			return err, nil
		}},
		{name: "invite an owner", action: editorial.AccountInvite, allowed: []store.Role{owner}, do: func(r *rig, a editorial.Actor) (error, func() error) {
			_, err := r.svc.Invite(r.ctx, a, "boss-"+string(a.Role)+"@example.org", owner)
			return err, func() error {
				inv, err := r.st.PendingInvitations(r.ctx, r.clock.Now())
				for _, i := range inv {
					if i.Role == owner {
						return errors.New("refused invitation was stored")
					}
				}
				return err
			}
		}},
		accountCase(editorial.AccountRole, "make a contributor an editor", from(admin), contributor, func(r *rig, a, target editorial.Actor) error {
			return r.svc.ChangeRole(r.ctx, a, target.ID, editor)
		}),
		accountCase(editorial.AccountRole, "make a contributor an owner", []store.Role{owner}, contributor, func(r *rig, a, target editorial.Actor) error {
			return r.svc.ChangeRole(r.ctx, a, target.ID, owner)
		}),
		accountCase(editorial.AccountRole, "demote another owner", []store.Role{owner}, owner, func(r *rig, a, target editorial.Actor) error {
			return r.svc.ChangeRole(r.ctx, a, target.ID, editor)
		}),
		accountCase(editorial.AccountDisable, "disable a contributor", from(admin), contributor, func(r *rig, a, target editorial.Actor) error {
			return r.svc.SetDisabled(r.ctx, a, target.ID, true)
		}),
		{name: "change own role", action: editorial.AccountRole, allowed: nil, do: func(r *rig, a editorial.Actor) (error, func() error) {
			err := r.svc.ChangeRole(r.ctx, a, a.ID, owner)
			if a.Role == owner {
				err = r.svc.ChangeRole(r.ctx, a, a.ID, admin)
			}
			return err, func() error {
				got, err := r.st.AccountByID(r.ctx, a.ID)
				if err == nil && got.Role != a.Role {
					return errors.New("own role changed")
				}
				return err
			}
		}},
		{name: "disable own account", action: editorial.AccountDisable, allowed: nil, do: func(r *rig, a editorial.Actor) (error, func() error) {
			return r.svc.SetDisabled(r.ctx, a, a.ID, true), nil
		}},
	}
}

// TestRoleActionTable tries every action as every role on a real store and
// checks that exactly the allowed roles succeed, that refusals are
// ErrForbidden with a message, and that a refusal changes nothing.
func TestRoleActionTable(t *testing.T) {
	t.Parallel()
	covered := map[editorial.Action]bool{}
	for _, c := range roleCases() {
		if c.action == "" {
			t.Errorf("case %q names no action", c.name)
		}
		covered[c.action] = true
	}
	for _, a := range editorial.Actions() {
		if !covered[a] {
			t.Errorf("no case exercises %s", a)
		}
	}
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		t.Parallel()
		r := newRig(t, st)
		// The publication's own owner, so that owners in the table are
		// never the last one.
		r.member(owner)
		actors := map[store.Role]editorial.Actor{}
		for _, role := range editorial.Roles() {
			actors[role] = r.member(role)
		}
		for _, c := range roleCases() {
			refusal := c.refusal
			if refusal == nil {
				refusal = editorial.ErrForbidden
			}
			for _, role := range editorial.Roles() {
				err, check := c.do(r, actors[role])
				want := slices.Contains(c.allowed, role)
				switch {
				case want && err != nil:
					t.Errorf("%s as %s: refused: %v", c.name, role, err)
				case !want && err == nil:
					t.Errorf("%s as %s: allowed, want refused", c.name, role)
				case !want && !errors.Is(err, refusal):
					t.Errorf("%s as %s: %v, want %v", c.name, role, err, refusal)
				case !want:
					var ref *editorial.Refusal
					var fe editorial.FieldErrors
					if !errors.As(err, &ref) && !errors.As(err, &fe) || err.Error() == "" {
						t.Errorf("%s as %s: refusal without a message: %v", c.name, role, err)
					}
					if check != nil {
						if err := check(); err != nil {
							t.Errorf("%s as %s: %v", c.name, role, err)
						}
					}
				}
			}
		}
	})
}

// TestLastOwner: nobody, admin or owner, can take the last owner away.
func TestLastOwner(t *testing.T) {
	t.Parallel()
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		t.Parallel()
		r := newRig(t, st)
		boss := r.member(owner)
		adm := r.member(admin)
		if err := r.svc.ChangeRole(r.ctx, adm, boss.ID, editor); !errors.Is(err, editorial.ErrForbidden) {
			t.Errorf("admin demoting the last owner: %v", err)
		}
		if err := r.svc.SetDisabled(r.ctx, adm, boss.ID, true); !errors.Is(err, editorial.ErrForbidden) {
			t.Errorf("admin disabling the last owner: %v", err)
		}
		if err := r.svc.ChangeRole(r.ctx, boss, boss.ID, admin); !errors.Is(err, editorial.ErrForbidden) {
			t.Errorf("the last owner demoting themselves: %v", err)
		}
		if n, _ := st.CountOwners(r.ctx); n != 1 {
			t.Errorf("owners: %d, want 1", n)
		}
		// With a second owner, one owner can step the other down.
		second := r.member(owner)
		if err := r.svc.ChangeRole(r.ctx, second, boss.ID, editor); err != nil {
			t.Errorf("owner demoting another owner: %v", err)
		}
		log, err := r.svc.AuditLog(r.ctx, second, store.AuditFilter{Actions: []string{"account.role"}})
		if err != nil || log.Total != 1 || log.Entries[0].Detail != "owner → editor" {
			t.Errorf("audit of the role change: %+v, %v", log, err)
		}
	})
}

func TestCanRefusesDisabledAndUnknown(t *testing.T) {
	p := &content.Post{Status: content.StatusDraft, Authors: []content.Author{{ID: 7}}}
	for _, a := range []store.Account{
		{},
		{ID: 1, Role: owner, Disabled: true},
		{ID: 1, Role: "superuser"},
	} {
		for _, action := range editorial.Actions() {
			if err := editorial.Can(a, action, editorial.Target{Post: p}); !errors.Is(err, editorial.ErrForbidden) {
				t.Errorf("%+v %s: %v", a, action, err)
			}
		}
	}
}
