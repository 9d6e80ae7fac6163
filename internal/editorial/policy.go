package editorial

import (
	"slices"

	"masthead/internal/content"
	"masthead/internal/store"
)

// Action is something an account may be allowed to do.
type Action string

// The actions Can decides.
const (
	// Posts.
	PostCreate    Action = "post.create"
	PostView      Action = "post.view"
	PostEdit      Action = "post.edit"
	PostSubmit    Action = "post.submit"
	PostPublish   Action = "post.publish"
	PostSchedule  Action = "post.schedule"
	PostUnpublish Action = "post.unpublish"
	PostArchive   Action = "post.archive"
	PostDelete    Action = "post.delete"
	PostCorrect   Action = "post.correct"
	ReviewQueue   Action = "review.queue" // see every post waiting for review

	// Tags, sections and people.
	TagCreate    Action = "tag.create"
	TagManage    Action = "tag.manage" // rename, mark as section, order sections
	AuthorEdit   Action = "author.edit"
	AuthorCreate Action = "author.create" // guest authors

	// Media.
	MediaUpload Action = "media.upload"
	MediaEdit   Action = "media.edit"

	// Administration.
	SettingsEdit   Action = "settings.edit"
	AccountsView   Action = "accounts.view"
	AccountInvite  Action = "account.invite"
	AccountRole    Action = "account.role"
	AccountDisable Action = "account.disable"
	AuditView      Action = "audit.view"
	OutboxView     Action = "outbox.view"
)

// Actions lists every action, for the desk's role table and for tests.
func Actions() []Action {
	return []Action{PostCreate, PostView, PostEdit, PostSubmit, PostPublish, PostSchedule, PostUnpublish,
		PostArchive, PostDelete, PostCorrect, ReviewQueue, TagCreate, TagManage, AuthorEdit, AuthorCreate,
		MediaUpload, MediaEdit, SettingsEdit, AccountsView, AccountInvite, AccountRole, AccountDisable,
		AuditView, OutboxView}
}

// Roles lists the roles from least to most powerful.
func Roles() []store.Role {
	return []store.Role{store.RoleContributor, store.RoleAuthor, store.RoleEditor, store.RoleAdmin, store.RoleOwner}
}

// rank orders roles; an unknown role ranks below every real one.
func rank(r store.Role) int {
	return slices.Index(Roles(), r)
}

// AtLeast reports whether role r is min or more powerful.
func AtLeast(r, min store.Role) bool { return rank(r) >= rank(min) && rank(r) >= 0 }

// Target is what an action is done to; each action reads the fields it
// needs and ignores the rest.
type Target struct {
	// Post is the post acted on, with its authors, for post actions (nil
	// for PostCreate).
	Post *content.Post
	// AuthorID is the author profile acted on, for AuthorEdit.
	AuthorID int64
	// UploadedBy is the uploader of the media item acted on, for MediaEdit.
	UploadedBy int64
	// Account is the account acted on, for AccountRole and AccountDisable.
	Account *store.Account
	// Role is the role being given, for AccountInvite and AccountRole.
	Role store.Role
}

// Owns reports whether the post's byline includes the account's author
// profile: the post is then the account's own.
func Owns(a store.Account, p *content.Post) bool {
	if p == nil || a.AuthorID == 0 {
		return false
	}
	for _, au := range p.Authors {
		if au.ID == a.AuthorID {
			return true
		}
	}
	return false
}

// Can decides whether actor may do action to t. It is the one place where
// roles are interpreted; every service asks it before acting. A refusal is
// a *Refusal wrapping ErrForbidden with a message fit to show.
func Can(actor store.Account, action Action, t Target) error {
	if actor.ID == 0 || actor.Disabled || !actor.Role.Valid() {
		return forbidden("Sign in with an enabled account to do this.")
	}
	role := actor.Role
	editor := AtLeast(role, store.RoleEditor)
	admin := AtLeast(role, store.RoleAdmin)
	own := Owns(actor, t.Post)
	status := content.Status("")
	if t.Post != nil {
		status = t.Post.Status
	}

	switch action {
	case PostCreate, MediaUpload:
		return nil // every role writes and uploads

	case PostView:
		if editor || own {
			return nil
		}
		return forbidden("You can only open your own posts.")

	case PostEdit:
		switch {
		case editor:
			return nil
		case !own:
			return forbidden("You can only edit your own posts.")
		case AtLeast(role, store.RoleAuthor):
			return nil
		case status == content.StatusDraft || status == content.StatusReview:
			return nil
		}
		return forbidden("This post is %s; only an editor can change it now.", statusWords(status))

	case PostSubmit:
		if !editor && !own {
			return forbidden("You can only submit your own posts for review.")
		}
		if status != content.StatusDraft {
			return forbidden("Only a draft can be submitted for review; this post is %s.", statusWords(status))
		}
		return nil

	case PostPublish, PostSchedule, PostUnpublish, PostArchive:
		switch {
		case editor:
			return nil
		case !AtLeast(role, store.RoleAuthor):
			return forbidden("Contributors cannot publish, schedule or unpublish; submit the post for review and an editor will.")
		case !own:
			return forbidden("You can only publish, schedule or unpublish your own posts.")
		}
		return nil

	case PostDelete:
		switch {
		case editor:
			return nil
		case own && status == content.StatusDraft && (t.Post == nil || t.Post.PublishedAt.IsZero()):
			// Writers may throw away their own drafts that never went out.
			return nil
		}
		return forbidden("Only an editor can delete this post.")

	case PostCorrect, ReviewQueue, TagCreate, TagManage, AuthorCreate:
		if editor {
			return nil
		}
		return forbidden("Only an editor can do this.")

	case AuthorEdit:
		if editor || (t.AuthorID != 0 && t.AuthorID == actor.AuthorID) {
			return nil
		}
		return forbidden("You can only edit your own profile.")

	case MediaEdit:
		if editor || (t.UploadedBy != 0 && t.UploadedBy == actor.ID) {
			return nil
		}
		return forbidden("You can only edit the text of images you uploaded.")

	case SettingsEdit, AccountsView, AuditView, OutboxView:
		if admin {
			return nil
		}
		return forbidden("Only an administrator can do this.")

	case AccountInvite:
		if !admin {
			return forbidden("Only an administrator can invite people.")
		}
		if !t.Role.Valid() {
			return invalid("Choose a role.")
		}
		if rank(t.Role) > rank(role) {
			return forbidden("You cannot give a role above your own.")
		}
		return nil

	case AccountRole, AccountDisable:
		if !admin {
			return forbidden("Only an administrator can change accounts.")
		}
		if t.Account == nil {
			return notFound("The account")
		}
		if t.Account.ID == actor.ID {
			if action == AccountRole {
				return forbidden("You cannot change your own role.")
			}
			return forbidden("You cannot disable your own account.")
		}
		if rank(t.Account.Role) > rank(role) {
			return forbidden("Only an owner can change an owner's account.")
		}
		if action == AccountRole {
			if !t.Role.Valid() {
				return invalid("Choose a role.")
			}
			if rank(t.Role) > rank(role) {
				return forbidden("You cannot give a role above your own.")
			}
		}
		return nil
	}
	return forbidden("This is not allowed.")
}

// statusWords names a status in a sentence.
func statusWords(s content.Status) string {
	switch s {
	case content.StatusDraft:
		return "a draft"
	case content.StatusReview:
		return "in review"
	case content.StatusScheduled:
		return "scheduled"
	case content.StatusPublished:
		return "published"
	case content.StatusArchived:
		return "archived"
	}
	return "new"
}
