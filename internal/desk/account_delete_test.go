package desk_test

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"masthead/internal/store"
)

func TestAccountDeleteOverHTTP(t *testing.T) {
	t.Parallel()
	r := newRig(t, 0)
	admin, adminAcc := r.signIn("admin@example.org", store.RoleAdmin)
	editor, _ := r.signIn("editor@example.org", store.RoleEditor)
	gone, goneAcc := r.signIn("gone@example.org", store.RoleAuthor)
	id := strconv.FormatInt(goneAcc.ID, 10)
	deletePath := "/desk/accounts/" + id + "/delete"

	// The list links to the confirmation page, except on one's own row.
	p := admin.get("/desk/accounts")
	if p.status != http.StatusOK || !strings.Contains(p.body, `href="`+deletePath+`"`) ||
		strings.Contains(p.body, `href="/desk/accounts/`+strconv.FormatInt(adminAcc.ID, 10)+`/delete"`) {
		t.Errorf("accounts list: %d, delete links wrong", p.status)
	}
	p = admin.get(deletePath)
	if p.status != http.StatusOK || !strings.Contains(p.body, "gone@example.org") || !strings.Contains(p.body, `id="confirm-delete"`) {
		t.Errorf("confirmation page: %d\n%.1500s", p.status, p.body)
	}

	// An editor gets neither the page nor the deletion.
	if p := editor.get(deletePath); p.status != http.StatusForbidden {
		t.Errorf("editor confirmation page: %d", p.status)
	}
	if p := editor.post(deletePath, url.Values{"confirm": {"delete"}}); p.status != http.StatusForbidden {
		t.Errorf("editor delete: %d", p.status)
	}
	// Nobody deletes themselves.
	self := "/desk/accounts/" + strconv.FormatInt(adminAcc.ID, 10) + "/delete"
	if p := admin.get(self); p.status != http.StatusForbidden {
		t.Errorf("own confirmation page: %d", p.status)
	}
	// A post without the confirmation deletes nothing.
	if p := admin.post(deletePath, nil); p.status != http.StatusSeeOther {
		t.Errorf("unconfirmed delete: %d", p.status)
	}
	// A cross-site form cannot delete.
	req, _ := http.NewRequest(http.MethodPost, r.srv.URL+deletePath, strings.NewReader(url.Values{"confirm": {"delete"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	if p := admin.do(req); p.status != http.StatusForbidden {
		t.Errorf("cross-site delete: %d", p.status)
	}
	if _, err := r.st.AccountByID(r.ctx, goneAcc.ID); err != nil {
		t.Fatalf("refused deletions removed the account: %v", err)
	}

	p = admin.post(deletePath, url.Values{"confirm": {"delete"}})
	if p.status != http.StatusSeeOther || !strings.HasPrefix(p.location, "/desk/accounts") {
		t.Fatalf("delete: %d %s\n%.1500s", p.status, p.location, p.body)
	}
	if _, err := r.st.AccountByID(r.ctx, goneAcc.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("account still there: %v", err)
	}
	// Its session ended with it.
	if p := gone.get("/desk/home"); p.status != http.StatusSeeOther || !strings.HasPrefix(p.location, "/desk/signin") {
		t.Errorf("deleted account's session: %d %s", p.status, p.location)
	}
	// The audit log shows its sign-in as by a deleted account.
	p = admin.get("/desk/audit")
	if p.status != http.StatusOK || !strings.Contains(p.body, "deleted account") || !strings.Contains(p.body, "account.delete") {
		t.Errorf("audit page: %d\n%.3000s", p.status, p.body)
	}
	if p := admin.get(deletePath); p.status != http.StatusNotFound {
		t.Errorf("confirmation page of a deleted account: %d", p.status)
	}
}
