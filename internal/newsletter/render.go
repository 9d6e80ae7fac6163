package newsletter

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html/template"
	"mime"
	"net/url"
	"strings"
	"time"

	"masthead/internal/content"
	"masthead/internal/store"
)

// placeholder stands in a rendered issue where each subscriber's own link
// token goes (in the preferences and unsubscribe links); every delivery
// fills in its own. It is made of characters that URL and HTML escaping
// leave as they are.
const placeholder = "__MASTHEAD_SUBSCRIBER_LINK__"

// Rendered is an issue as its subscribers will read it.
type Rendered struct {
	Subject string
	HTML    string
	Text    string
}

// Personal fills in the links of one subscriber, and drops the place of a
// "Your topics" section not filled before. Previews use a token that opens
// no one's preferences.
func (r Rendered) Personal(token string) Rendered {
	fill := strings.NewReplacer(placeholder, token, topicsMarker, "")
	return Rendered{Subject: r.Subject, HTML: fill.Replace(r.HTML), Text: fill.Replace(r.Text)}
}

type issueView struct {
	Lang, Site, SiteURL      string
	Subject, Preheader       string
	Kind, Date               string
	IntroHTML                template.HTML
	IntroText                string
	Groups                   []groupView
	Preferences, Unsubscribe string
}

type groupView struct {
	Name, URL string
	Items     []itemView
}

type itemView struct {
	Title, URL, Deck, Byline, Date, Summary string
	Image                                   *imageView
}

type imageView struct {
	URL, Alt string
	Height   int // at the email's image width; 0 when unknown
}

// emailImageWidth is how wide pictures are shown in the 600-pixel column.
const emailImageWidth = 544

// issuePosts loads the posts of an issue that readers may see at now, in
// the issue's order. Posts deleted or unpublished since are left out.
func (s *Service) issuePosts(ctx context.Context, ids []int64, now time.Time) ([]content.Post, error) {
	posts := make([]content.Post, 0, len(ids))
	for _, id := range ids {
		p, err := s.store.PostByID(ctx, id)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("newsletter: %w", err)
		}
		if p.Status != content.StatusPublished || p.PublishedAt.IsZero() || p.PublishedAt.After(now) {
			continue
		}
		posts = append(posts, p)
	}
	return posts, nil
}

// render makes the HTML and text of an issue from its current content,
// with the subscriber links as placeholders.
func (s *Service) render(ctx context.Context, is store.Issue) (Rendered, error) {
	now := s.now()
	subject := strings.TrimSpace(is.Subject)
	if subject == "" {
		return Rendered{}, userError("Give the issue a subject", nil)
	}
	if strings.ContainsAny(subject, "\r\n") {
		return Rendered{}, userError("The subject cannot contain line breaks", nil)
	}
	posts, err := s.issuePosts(ctx, is.Items, now)
	if err != nil {
		return Rendered{}, err
	}
	if len(posts) == 0 {
		return Rendered{}, userError("The issue has no published article in it", nil)
	}
	site, err := s.setting(ctx, settingSiteName, defaultSiteName)
	if err != nil {
		return Rendered{}, err
	}
	lang, err := s.setting(ctx, "site.language", "en")
	if err != nil {
		return Rendered{}, err
	}
	loc := s.location(ctx)

	v := issueView{
		Lang: lang, Site: site, SiteURL: s.baseURL + "/", Subject: subject, Kind: string(is.Kind),
		Date:        now.In(loc).Format("2 January 2006"),
		IntroText:   strings.TrimSpace(is.Intro),
		Preferences: s.preferencesURL(placeholder),
		Unsubscribe: s.unsubscribeURL(placeholder),
	}
	if v.IntroText != "" {
		html := content.Render(v.IntroText)
		v.IntroHTML = template.HTML(strings.ReplaceAll(html, "<p>", `<p style="margin:0 0 14px 0;">`))
		v.Preheader = clipText(content.PlainText(html), 120)
	} else {
		var titles []string
		for _, p := range posts {
			titles = append(titles, p.Title)
		}
		v.Preheader = clipText(strings.Join(titles, " · "), 120)
	}
	for _, p := range posts {
		item := itemView{
			Title: p.Title, URL: s.baseURL + "/articles/" + url.PathEscape(p.Slug), Deck: p.Deck,
			Byline: byline(p.Authors), Date: p.PublishedAt.In(loc).Format("2 January 2006"), Summary: p.Summary(),
		}
		if !p.Image.IsZero() {
			img := &imageView{URL: s.mediaURL(p.Image.Key), Alt: p.Image.Alt}
			if p.Image.Width > 0 && p.Image.Height > 0 {
				img.Height = p.Image.Height * emailImageWidth / p.Image.Width
			}
			item.Image = img
		}
		name, link := "", ""
		if is.Kind == store.IssueRoundup {
			name = "More"
			if p.Section != nil {
				name, link = p.Section.Name, s.baseURL+"/sections/"+url.PathEscape(p.Section.Slug)
			}
		}
		// Sections appear in the order of their first article.
		i := 0
		for i < len(v.Groups) && v.Groups[i].Name != name {
			i++
		}
		if i == len(v.Groups) {
			v.Groups = append(v.Groups, groupView{Name: name, URL: link})
		}
		v.Groups[i].Items = append(v.Groups[i].Items, item)
	}
	// A round-up of one section needs no heading for it.
	if len(v.Groups) == 1 && v.Groups[0].Name == "More" {
		v.Groups[0].Name = ""
	}

	var h, t bytes.Buffer
	if err := s.tmpl.issueHTML.Execute(&h, v); err != nil {
		return Rendered{}, fmt.Errorf("newsletter: render issue %d: %w", is.ID, err)
	}
	if err := s.tmpl.issueText.Execute(&t, v); err != nil {
		return Rendered{}, fmt.Errorf("newsletter: render issue %d: %w", is.ID, err)
	}
	return Rendered{Subject: subject, HTML: h.String(), Text: t.String()}, nil
}

// location is the site's timezone for dates in emails; UTC when unset or
// unknown.
func (s *Service) location(ctx context.Context) *time.Location {
	name, err := s.setting(ctx, settingTimezone, "UTC")
	if err != nil {
		return time.UTC
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return time.UTC
	}
	return loc
}

// mediaURL is the absolute address of a media key, or the key itself when
// the image lives elsewhere.
func (s *Service) mediaURL(key string) string {
	if strings.HasPrefix(key, "https://") || strings.HasPrefix(key, "http://") {
		return key
	}
	return s.baseURL + "/media/" + (&url.URL{Path: key}).EscapedPath()
}

// byline is "By A", "By A and B" or "By A, B and C".
func byline(authors []content.Author) string {
	var names []string
	for _, a := range authors {
		names = append(names, a.Name)
	}
	switch len(names) {
	case 0:
		return ""
	case 1:
		return "By " + names[0]
	}
	return "By " + strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

// clipText shortens plain text to about n characters at a word.
func clipText(s string, n int) string {
	r := []rune(strings.TrimSpace(s))
	if len(r) <= n {
		return string(r)
	}
	cut := string(r[:n])
	if i := strings.LastIndexByte(cut, ' '); i > n/2 {
		cut = cut[:i]
	}
	return strings.TrimRight(cut, " ,;:.") + "…"
}

// listHeaders are the mailing-list fields of a newsletter email (RFC 2369,
// 2919, 8058): its list, and how to leave it in one click.
func (s *Service) listHeaders(ctx context.Context, unsubscribe string) map[string]string {
	site, err := s.setting(ctx, settingSiteName, defaultSiteName)
	if err != nil {
		site = defaultSiteName
	}
	h := map[string]string{
		"List-Id":          listPhrase(site) + " <newsletter." + listDomain(s.host) + ">",
		"List-Unsubscribe": "<" + unsubscribe + ">",
	}
	// RFC 8058 one-click needs an https address to POST to.
	if s.https {
		h["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
	}
	return h
}

// listPhrase makes the site's name a display phrase for List-Id:
// encoded when it is not plain ASCII, quoted when it holds specials.
func listPhrase(name string) string {
	name = strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f {
			return -1
		}
		return r
	}, name)
	for _, r := range name {
		if r >= 0x80 {
			return mime.QEncoding.Encode("utf-8", name)
		}
	}
	if strings.ContainsAny(name, `()<>[]:;@\,."`) {
		return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(name) + `"`
	}
	return name
}

// listDomain is the host part of the List-Id: a domain, or "localhost"
// for addresses that are not one.
func listDomain(host string) string {
	if host == "" || strings.Contains(host, ":") || strings.Trim(host, "0123456789.") == "" {
		return "localhost"
	}
	return host
}
