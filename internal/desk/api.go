package desk

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"masthead/internal/editorial"
	"masthead/internal/store"
)

// The admin API answers JSON under apiPrefix. It is authenticated by
// personal API tokens only: a session cookie is never read, so a page on
// another site cannot make a browser call it on someone's behalf, and the
// CSRF defences of the forms are not needed here.
const apiPrefix = "/desk/api/v1"

// maxAPIBodyBytes bounds a JSON request body; a post's body is at most
// 2 MB, and JSON escaping can make it larger.
const maxAPIBodyBytes = 4 << 20

// apiTouchEvery bounds how often a token's last use is written: not on
// every call, which would make every read a write.
const apiTouchEvery = time.Minute

// apiHandler is an API handler: like handlerFunc, it returns an error
// instead of writing one, and api turns it into a JSON answer.
type apiHandler func(w http.ResponseWriter, r *http.Request, actor editorial.Actor) error

// apiError is a refusal of the API layer itself (malformed JSON, a
// missing token…), with its status and a message fit to show.
type apiError struct {
	Status  int
	Message string
	Fields  map[string]string
	// RetryAfter, when set, is sent as the Retry-After header.
	RetryAfter time.Duration
}

func (e *apiError) Error() string { return e.Message }

func badRequest(format string, args ...any) error {
	return &apiError{Status: http.StatusBadRequest, Message: fmt.Sprintf(format, args...)}
}

var errAPINotFound = &apiError{Status: http.StatusNotFound, Message: "There is no such API endpoint."}

func (d *Desk) apiRoutes(mux *http.ServeMux) {
	p := apiPrefix
	lim := newTokenLimiter(d.svc.Store(), apiRatePolicy)
	api := func(h apiHandler) http.Handler { return d.api(lim, h) }
	mux.Handle("GET "+p+"/posts", api(d.apiPostList))
	mux.Handle("POST "+p+"/posts", api(d.apiPostCreate))
	mux.Handle("GET "+p+"/posts/{id}", api(d.apiPostGet))
	mux.Handle("PUT "+p+"/posts/{id}", api(d.apiPostReplace))
	mux.Handle("PATCH "+p+"/posts/{id}", api(d.apiPostPatch))
	mux.Handle("DELETE "+p+"/posts/{id}", api(d.apiPostDelete))
	mux.Handle("POST "+p+"/posts/{id}/submit", api(d.apiPostSubmit))
	mux.Handle("POST "+p+"/posts/{id}/publish", api(d.apiPostPublish))
	mux.Handle("POST "+p+"/posts/{id}/schedule", api(d.apiPostSchedule))
	mux.Handle("POST "+p+"/posts/{id}/unpublish", api(d.apiPostUnpublish))
	mux.Handle("POST "+p+"/posts/{id}/archive", api(d.apiPostArchive))
	mux.Handle("POST "+p+"/posts/{id}/reopen", api(d.apiPostReopen))
	mux.Handle("POST "+p+"/posts/{id}/corrections", api(d.apiPostCorrection))

	mux.Handle("GET "+p+"/search", api(d.apiSearch))

	mux.Handle("GET "+p+"/authors", api(d.apiAuthorList))
	mux.Handle("POST "+p+"/authors", api(d.apiAuthorCreate))
	mux.Handle("GET "+p+"/authors/{id}", api(d.apiAuthorGet))
	mux.Handle("PUT "+p+"/authors/{id}", api(d.apiAuthorReplace))
	mux.Handle("PATCH "+p+"/authors/{id}", api(d.apiAuthorPatch))

	mux.Handle("GET "+p+"/tags", api(d.apiTagList))
	mux.Handle("POST "+p+"/tags", api(d.apiTagCreate))
	mux.Handle("PUT "+p+"/tags/{id}", api(d.apiTagReplace))
	mux.Handle("PATCH "+p+"/tags/{id}", api(d.apiTagPatch))

	mux.Handle("GET "+p+"/media", api(d.apiMediaList))
	mux.Handle("POST "+p+"/media", api(d.apiMediaUpload))
	mux.Handle("GET "+p+"/media/{id}", api(d.apiMediaGet))
	mux.Handle("PATCH "+p+"/media/{id}", api(d.apiMediaPatch))

	// Anything else under the API answers in JSON too, not with a page.
	mux.Handle(p+"/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d.apiFail(w, r, errAPINotFound)
	}))
}

// api authenticates the bearer token, spends one call of its rate limit
// lim, then runs h and answers its error.
func (d *Desk) api(lim tokenLimiter, h apiHandler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		actor, token, err := d.apiActor(r)
		if err == nil {
			err = d.apiLimit(r.Context(), lim, token.ID)
		}
		if err == nil {
			err = h(w, r, actor)
		}
		if err != nil {
			d.apiFail(w, r, err)
		}
	})
}

var errBadToken = &apiError{Status: http.StatusUnauthorized,
	Message: "Send a valid API token in the Authorization header: “Authorization: Bearer <token>”. Tokens are made on your account page in the desk."}

// apiActor returns the account an API token acts for, and the token. A
// token that is unknown, revoked, or whose account is disabled is refused
// alike.
func (d *Desk) apiActor(r *http.Request) (editorial.Actor, store.APIToken, error) {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	token = strings.TrimSpace(token)
	if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" || len(token) > 200 {
		return editorial.Actor{}, store.APIToken{}, errBadToken
	}
	ctx := r.Context()
	st := d.svc.Store()
	t, acc, err := st.APITokenByHash(ctx, store.HashToken(token))
	if errors.Is(err, store.ErrNotFound) {
		return editorial.Actor{}, store.APIToken{}, errBadToken
	}
	if err != nil {
		return editorial.Actor{}, store.APIToken{}, fmt.Errorf("desk: api token: %w", err)
	}
	if acc.Disabled || !acc.Role.Valid() {
		return editorial.Actor{}, store.APIToken{}, errBadToken
	}
	if now := time.Now(); t.LastUsedAt.IsZero() || now.Sub(t.LastUsedAt) >= apiTouchEvery {
		// A failure to record the use must not fail the call.
		if err := st.TouchAPIToken(context.WithoutCancel(ctx), t.ID, now); err != nil && !errors.Is(err, store.ErrNotFound) {
			d.log.ErrorContext(ctx, "desk: touch API token", "token", t.ID, "err", err)
		}
	}
	return editorial.Actor{Account: acc, IP: clientIP(r)}, t, nil
}

// apiFail answers an error: refusals with their own message and status,
// field problems with each message by field, anything else with a plain
// apology (the detail goes to the log).
func (d *Desk) apiFail(w http.ResponseWriter, r *http.Request, err error) {
	var ae *apiError
	var ref *editorial.Refusal
	var fe editorial.FieldErrors
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &ae):
		if ae.Status == http.StatusUnauthorized {
			w.Header().Set("WWW-Authenticate", `Bearer realm="masthead"`)
		}
		if ae.RetryAfter > 0 {
			w.Header().Set("Retry-After", retryAfter(ae.RetryAfter))
		}
		writeAPIError(w, ae.Status, ae.Message, ae.Fields)
	case errors.As(err, &tooBig):
		writeAPIError(w, http.StatusRequestEntityTooLarge,
			fmt.Sprintf("The request body is larger than the %s the API accepts here.", sizeWords(tooBig.Limit)), nil)
	case errors.As(err, &fe):
		writeAPIError(w, http.StatusUnprocessableEntity, "Some fields have problems; see errors.", fe)
	case errors.As(err, &ref):
		writeAPIError(w, refusalStatus(w, ref, http.StatusUnprocessableEntity), ref.Message, nil)
	default:
		d.log.ErrorContext(r.Context(), "desk: api request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		writeAPIError(w, http.StatusInternalServerError, "Something went wrong on our side; the problem has been logged. Try again in a moment.", nil)
	}
}

func sizeWords(n int64) string {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return fmt.Sprintf("%d MB", n>>20)
	}
	return fmt.Sprintf("%d bytes", n)
}

type apiErrorBody struct {
	Error  string            `json:"error"`
	Errors map[string]string `json:"errors,omitempty"`
}

func writeAPIError(w http.ResponseWriter, status int, msg string, fields map[string]string) {
	writeJSON(w, status, apiErrorBody{Error: msg, Errors: fields})
}

// writeJSON answers v as indented JSON.
func writeJSON(w http.ResponseWriter, status int, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("desk: api: encode answer: %w", err)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, err = w.Write(append(b, '\n'))
	return err
}

// decodeJSON reads the request body into v: one JSON object of bounded
// size whose every field v knows. Each problem gets a message that says
// what to fix.
func decodeJSON(w http.ResponseWriter, r *http.Request, v any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || mt != "application/json" {
			return &apiError{Status: http.StatusUnsupportedMediaType,
				Message: fmt.Sprintf("Send the body as JSON with “Content-Type: application/json”, not %q.", ct)}
		}
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxAPIBodyBytes)
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil {
		// Anything after the object is a mistake too.
		var extra json.RawMessage
		switch err2 := dec.Decode(&extra); {
		case errors.Is(err2, io.EOF):
			return nil
		case err2 == nil:
			return badRequest("The body holds more than one JSON value; send a single object.")
		default:
			err = err2
		}
	}
	var tooBig *http.MaxBytesError
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &tooBig):
		return err
	case errors.Is(err, io.EOF):
		return badRequest("The body is empty; send a JSON object.")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return badRequest("The body is not valid JSON: it ends too early.")
	case errors.As(err, &syntax):
		return badRequest("The body is not valid JSON: %s (at byte %d).", syntax.Error(), syntax.Offset)
	case errors.As(err, &typ):
		if typ.Field == "" {
			return badRequest("The body must be a JSON object, not %s.", typ.Value)
		}
		return badRequest("The field %q must be %s, not %s.", typ.Field, jsonKind(typ.Type.Kind().String()), typ.Value)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return badRequest("The field %s is not known here; check its spelling against docs/api.md.",
			strings.TrimPrefix(err.Error(), "json: unknown field "))
	}
	return badRequest("The body could not be read as JSON: %v.", err)
}

// jsonKind names a Go kind the way JSON does.
func jsonKind(kind string) string {
	switch {
	case kind == "string":
		return "a string"
	case kind == "bool":
		return "true or false"
	case strings.HasPrefix(kind, "int"), strings.HasPrefix(kind, "uint"), strings.HasPrefix(kind, "float"):
		return "a number"
	case kind == "slice", kind == "array":
		return "a list"
	case kind == "ptr":
		return "a value of the documented type"
	}
	return "an object"
}

// apiID reads a numeric path value; a malformed one is not found.
func apiID(r *http.Request) (int64, error) {
	id := editorial.ParseID(r.PathValue("id"))
	if id == 0 {
		return 0, &apiError{Status: http.StatusNotFound, Message: "There is nothing with this ID."}
	}
	return id, nil
}

// paging reads limit and offset from the query string.
func paging(r *http.Request, def, most int) (limit, offset int, err error) {
	q := r.URL.Query()
	limit, offset = def, 0
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > most {
			return 0, 0, badRequest("limit must be a number from 1 to %d.", most)
		}
		limit = n
	}
	if s := q.Get("offset"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			return 0, 0, badRequest("offset must be a number from 0 up.")
		}
		offset = n
	}
	return limit, offset, nil
}

// renameFields gives a service's field names their API spelling.
func renameFields(err error, names map[string]string) error {
	var fe editorial.FieldErrors
	if !errors.As(err, &fe) {
		return err
	}
	out := editorial.FieldErrors{}
	for k, v := range fe {
		if n, ok := names[k]; ok {
			k = n
		}
		out[k] = v
	}
	return out
}

// apiTime writes a time in RFC 3339, in UTC; the zero time is null.
type apiTime time.Time

func (t apiTime) MarshalJSON() ([]byte, error) {
	if time.Time(t).IsZero() {
		return []byte("null"), nil
	}
	return json.Marshal(time.Time(t).UTC().Truncate(time.Second).Format(time.RFC3339))
}

func itoa(id int64) string { return strconv.FormatInt(id, 10) }
