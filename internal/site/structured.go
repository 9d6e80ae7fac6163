package site

import (
	"encoding/json"
	"html/template"
	"time"

	"masthead/internal/content"
)

// Structured data (schema.org in JSON-LD) tells search engines and link
// previews what a page is: a news article with its authors, publisher and
// corrections; a person; where a page sits in the site. It goes in a
// <script type="application/ld+json">, which browsers do not run, so the
// CSP allows it.

// ldJSON encodes v for a JSON-LD script element. encoding/json writes <, >
// and & as \u003c, \u003e and \u0026 (and escapes U+2028 and U+2029), so
// no text in v can close the element.
func ldJSON(v any) template.JS {
	b, err := json.Marshal(v)
	if err != nil {
		return "" // only a programming error: every value here is plain data
	}
	return template.JS(b)
}

const schemaContext = "https://schema.org"

type ldThing = map[string]any

// ldTime is a time as schema.org dates want it.
func ldTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// publisherLD describes the publication, with its logo when one is set.
func (s *Site) publisherLD(st siteSettings) ldThing {
	pub := ldThing{"@type": "Organization", "name": st.name, "url": s.baseURL + "/"}
	if st.logo != "" {
		pub["logo"] = ldThing{"@type": "ImageObject", "url": s.absolute(mediaURL(st.logo))}
	}
	return pub
}

// articleLD describes p as a NewsArticle, about the things in about (its
// accepted topics).
func (s *Site) articleLD(p content.Post, st siteSettings, canonical, description string, about []ldThing) template.JS {
	a := ldThing{
		"@context":         schemaContext,
		"@type":            "NewsArticle",
		"mainEntityOfPage": ldThing{"@type": "WebPage", "@id": canonical},
		"url":              canonical,
		"headline":         p.Title,
		"datePublished":    ldTime(p.PublishedAt),
		"dateModified":     ldTime(latest(p.PublishedAt, p.UpdatedAt)),
		"publisher":        s.publisherLD(st),
		"inLanguage":       st.lang,
	}
	if description != "" {
		a["description"] = description
	}
	if !p.Image.IsZero() {
		img := ldThing{"@type": "ImageObject", "url": s.absolute(mediaURL(p.Image.Key))}
		if p.Image.Width > 0 && p.Image.Height > 0 {
			img["width"], img["height"] = p.Image.Width, p.Image.Height
		}
		if p.Image.Caption != "" {
			img["caption"] = content.PlainText(content.RenderInline(p.Image.Caption))
		}
		if p.Image.Credit != "" {
			img["creditText"] = p.Image.Credit
		}
		a["image"] = []ldThing{img}
	}
	var authors []ldThing
	for _, au := range p.Authors {
		authors = append(authors, ldThing{"@type": "Person", "name": au.Name, "url": s.baseURL + authorURL(au.Slug)})
	}
	if len(authors) > 0 {
		a["author"] = authors
	}
	if p.Section != nil {
		a["articleSection"] = p.Section.Name
	}
	var keywords []string
	for _, t := range p.Tags {
		keywords = append(keywords, t.Name)
	}
	if len(keywords) > 0 {
		a["keywords"] = keywords
	}
	if len(about) > 0 {
		a["about"] = about
	}
	var corrections []ldThing
	for _, c := range p.Corrections {
		corrections = append(corrections, ldThing{
			"@type":         "CorrectionComment",
			"text":          content.PlainText(content.RenderInline(c.Note)),
			"datePublished": ldTime(c.Date),
		})
	}
	if len(corrections) > 0 {
		a["correction"] = corrections
	}
	return ldJSON(a)
}

// personLD describes an author.
func (s *Site) personLD(a content.Author) template.JS {
	p := ldThing{
		"@context": schemaContext,
		"@type":    "Person",
		"name":     a.Name,
		"url":      s.baseURL + authorURL(a.Slug),
	}
	if a.Role != "" {
		p["jobTitle"] = a.Role
	}
	if bio := content.PlainText(a.BioHTML); bio != "" {
		p["description"] = bio
	}
	if !a.Photo.IsZero() {
		p["image"] = s.absolute(mediaURL(a.Photo.Key))
	}
	var same []string
	for _, l := range a.Links {
		same = append(same, l.URL)
	}
	if len(same) > 0 {
		p["sameAs"] = same
	}
	return ldJSON(p)
}

// breadcrumbLD lists the way from the home page to this one; trail holds
// site-relative URLs after the home page.
func (s *Site) breadcrumbLD(siteName string, trail []linkView) template.JS {
	items := []ldThing{{"@type": "ListItem", "position": 1, "name": siteName, "item": s.baseURL + "/"}}
	for i, l := range trail {
		items = append(items, ldThing{"@type": "ListItem", "position": i + 2, "name": l.Name, "item": s.absolute(l.URL)})
	}
	return ldJSON(ldThing{"@context": schemaContext, "@type": "BreadcrumbList", "itemListElement": items})
}
