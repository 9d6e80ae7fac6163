package editorial

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"masthead/internal/mail"
	"masthead/internal/media"
	"masthead/internal/store"
)

// The setting keys the desk edits.
const (
	SettingName        = "site.name"
	SettingDescription = "site.description"
	SettingLogo        = "site.logo"
	SettingTimezone    = "site.timezone"
	SettingLanguage    = "site.language"
	SettingSender      = "newsletter.sender"
)

// SiteSettings are the editorial settings of the publication.
type SiteSettings struct {
	Name        string
	Description string
	Logo        string // media key of the logo; empty for none
	Timezone    string // IANA name, e.g. "Europe/Berlin"
	Language    string // BCP 47 tag, e.g. "en"
	Sender      string // the From address of the newsletter
}

// defaultSettings apply to keys never set.
var defaultSettings = SiteSettings{Name: "Masthead", Timezone: "UTC", Language: "en"}

func (ss *SiteSettings) fields() []struct {
	key string
	val *string
} {
	return []struct {
		key string
		val *string
	}{
		{SettingName, &ss.Name}, {SettingDescription, &ss.Description}, {SettingLogo, &ss.Logo},
		{SettingTimezone, &ss.Timezone}, {SettingLanguage, &ss.Language}, {SettingSender, &ss.Sender},
	}
}

// Settings returns the site settings, with defaults for those never set.
func (s *Service) Settings(ctx context.Context) (SiteSettings, error) {
	ss := defaultSettings
	for _, f := range ss.fields() {
		v, err := s.store.Setting(ctx, f.key)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return ss, fmt.Errorf("editorial: settings: %w", err)
		}
		if v = strings.TrimSpace(v); v != "" {
			*f.val = v
		}
	}
	return ss, nil
}

// Location returns the site's timezone; an unreadable setting falls back
// to UTC.
func (s *Service) Location(ctx context.Context) (*time.Location, error) {
	ss, err := s.Settings(ctx)
	if err != nil {
		return nil, err
	}
	loc, err := time.LoadLocation(ss.Timezone)
	if err != nil {
		return time.UTC, nil
	}
	return loc, nil
}

// SaveSettings checks and stores the site settings; admins only.
func (s *Service) SaveSettings(ctx context.Context, actor Actor, in SiteSettings) error {
	if err := Can(actor.Account, SettingsEdit, Target{}); err != nil {
		return err
	}
	in.Name = strings.TrimSpace(in.Name)
	in.Description = strings.TrimSpace(in.Description)
	in.Logo = strings.TrimSpace(in.Logo)
	in.Timezone = strings.TrimSpace(in.Timezone)
	in.Language = strings.TrimSpace(in.Language)
	in.Sender = strings.TrimSpace(in.Sender)

	fe := FieldErrors{}
	switch {
	case in.Name == "":
		fe["name"] = "Give the publication a name."
	case len(in.Name) > 120:
		fe["name"] = "Keep the name under 120 characters."
	}
	if len(in.Description) > 500 {
		fe["description"] = "Keep the description under 500 characters."
	}
	if in.Timezone == "" {
		in.Timezone = "UTC"
	}
	if _, err := time.LoadLocation(in.Timezone); err != nil || strings.EqualFold(in.Timezone, "local") {
		fe["timezone"] = fmt.Sprintf("%q is not a timezone name such as Europe/Berlin or America/New_York.", in.Timezone)
	}
	if in.Language == "" {
		in.Language = "en"
	}
	if !validLanguage(in.Language) {
		fe["language"] = "Use a language tag such as en, fr or pt-BR."
	}
	if in.Sender != "" {
		if _, err := mail.ParseAddress(in.Sender); err != nil || strings.Contains(in.Sender, ",") {
			fe["sender"] = "Use one email address, such as newsletter@example.org."
		}
	}
	if in.Logo != "" {
		if !media.ValidKey(in.Logo) {
			fe["logo"] = "Choose the logo from the media library."
		} else if _, err := s.store.MediaItemByKey(ctx, in.Logo); errors.Is(err, store.ErrNotFound) {
			fe["logo"] = "That image is not in the media library."
		} else if err != nil {
			return fmt.Errorf("editorial: settings: %w", err)
		}
	}
	if err := fe.errOrNil(); err != nil {
		return err
	}
	old, err := s.Settings(ctx)
	if err != nil {
		return err
	}
	var changed []string
	oldFields := old.fields()
	err = s.store.InTx(ctx, func(tx *store.Store) error {
		for i, f := range in.fields() {
			if *f.val == *oldFields[i].val {
				continue
			}
			if err := tx.SetSetting(ctx, f.key, *f.val); err != nil {
				return err
			}
			changed = append(changed, f.key)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("editorial: save settings: %w", err)
	}
	if len(changed) > 0 {
		s.audit(ctx, actor, "settings.change", "settings", strings.Join(changed, ", "))
		s.changed()
	}
	return nil
}

// validLanguage accepts the shape of a BCP 47 tag ("en", "pt-BR").
func validLanguage(tag string) bool {
	if len(tag) > 35 {
		return false
	}
	for i, part := range strings.Split(tag, "-") {
		if part == "" || len(part) > 8 || (i == 0 && (len(part) < 2 || len(part) > 3)) {
			return false
		}
		for _, r := range part {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
				return false
			}
		}
	}
	return true
}
