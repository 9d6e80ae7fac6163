package site

import (
	"net/http"
	"net/url"

	"masthead/internal/store"
)

func preferencesURL(token string) string { return "/preferences/" + url.PathEscape(token) }

func preferencesView(token string, sub store.Subscriber) newsletterView {
	return newsletterView{Mode: "preferences", Email: sub.Email, Action: preferencesURL(token),
		Subscribed: sub.Status == store.SubscriberConfirmed, Roundup: sub.WantsRoundup,
		EveryArticle: sub.WantsEveryArticle, Paused: sub.Paused}
}

// preferencesForm shows what a subscriber receives, with the buttons to
// change it, pause, unsubscribe or subscribe again.
func (s *Site) preferencesForm(w http.ResponseWriter, r *http.Request) error {
	token := r.PathValue("token")
	sub, err := s.newsletter.Preferences(r.Context(), token)
	if err != nil {
		return s.invalidLink(w, r, err)
	}
	v := preferencesView(token, sub)
	if v.Topics, err = s.topicChoices(r.Context(), sub); err != nil {
		return err
	}
	return s.newsletterPage(w, r, http.StatusOK, "Your newsletter", v)
}

// savePreferences carries out one of the page's buttons: save,
// unsubscribe or resubscribe.
func (s *Site) savePreferences(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	ctx, token, f := r.Context(), r.PathValue("token"), r.PostForm
	// A link that does not work gets its own page, whatever was pressed.
	sub, err := s.newsletter.Preferences(ctx, token)
	if err != nil {
		return s.invalidLink(w, r, err)
	}
	notice := ""
	switch f.Get("action") {
	case "save":
		if err := s.checkTopicChoices(ctx, f["topic"]); err != nil {
			return err
		}
		ways, werr := followWays(f, f["topic"])
		if werr != nil {
			return werr
		}
		sub, err = s.newsletter.UpdatePreferences(ctx, token, f.Get("roundup") != "", f.Get("every_article") != "", f.Get("paused") != "")
		if err == nil && f.Get("topics") == "shown" {
			err = s.saveTopicFollows(ctx, sub, f["topic"], ways)
		}
		notice = "Your preferences are saved."
	case "unsubscribe":
		if sub, err = s.newsletter.Unsubscribe(ctx, token); err == nil {
			return s.newsletterPage(w, r, http.StatusOK, "You are unsubscribed",
				newsletterView{Mode: "unsubscribed", Email: sub.Email, PreferencesURL: preferencesURL(token)})
		}
	case "resubscribe":
		sub, err = s.newsletter.Resubscribe(ctx, token, clientIP(r))
		notice = "Welcome back: you are subscribed again."
	default:
		return badRequest{"the form asked for nothing this page does"}
	}
	if err != nil {
		msg := readerMessage(err)
		if msg == "" {
			return err
		}
		// A form mistake is shown on the form; a bad link on its own page.
		current, perr := s.newsletter.Preferences(ctx, token)
		if perr != nil {
			return s.invalidLink(w, r, perr)
		}
		v := preferencesView(token, current)
		v.Error = msg
		if v.Topics, err = s.topicChoices(ctx, current); err != nil {
			return err
		}
		return s.newsletterPage(w, r, http.StatusBadRequest, "Your newsletter", v)
	}
	v := preferencesView(token, sub)
	v.Notice = notice
	if v.Topics, err = s.topicChoices(ctx, sub); err != nil {
		return err
	}
	return s.newsletterPage(w, r, http.StatusOK, "Your newsletter", v)
}
