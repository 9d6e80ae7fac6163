package content

import (
	"strings"
	"testing"
)

func TestSlugify(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"", ""},
		{"Hello, World!", "hello-world"},
		{"  --Leading and trailing--  ", "leading-and-trailing"},
		{"Multiple   spaces\tand\nlines", "multiple-spaces-and-lines"},
		{"Café in Zürich", "cafe-in-zurich"},
		{"Ça va, São Paulo? Señor Müller", "ca-va-sao-paulo-senor-muller"},
		{"Straße", "strasse"},
		{"Søren Kierkegaard", "soren-kierkegaard"},
		{"Æsop and Œdipus", "aesop-and-oedipus"},
		{"Łódź and Gdańsk", "lodz-and-gdansk"},
		{"Đorđe Balašević", "dorde-balasevic"},
		{"Þórshöfn", "thorshofn"},
		{"İstanbul ışık", "istanbul-isik"},
		{"Europe's “Moment”", "europes-moment"},
		{"Don’t Look Back", "dont-look-back"},
		{"The 2015 Iran Nuclear Deal", "the-2015-iran-nuclear-deal"},
		{"Gulf—Iran: A New Era?", "gulf-iran-a-new-era"},
		{"ﬁnance ２０２４", "finance-2024"},
		{"C++ & C#", "c-c"},
		{"中国的崛起", ""},
		{"Россия", ""},
		{"!!!", ""},
		{"a", "a"},
		{"already-a-slug", "already-a-slug"},
		{"UPPER_case_Words", "upper-case-words"},
		{
			"Why the Gulf's Middle Powers Now Conduct Their Own Statecraft, and What Washington Should Do About It",
			"why-the-gulfs-middle-powers-now-conduct-their-own-statecraft-and-what-washington",
		},
		{strings.Repeat("x", 100), strings.Repeat("x", 80)},
		{strings.Repeat("ab ", 40), strings.TrimSuffix(strings.Repeat("ab-", 27), "-")},
		{strings.Repeat("é", 10000), strings.Repeat("e", 80)},
	}
	for _, tt := range tests {
		got := Slugify(tt.in)
		if got != tt.want {
			t.Errorf("Slugify(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if got != "" && !ValidSlug(got) {
			t.Errorf("Slugify(%q) = %q, which is not a valid slug", tt.in, got)
		}
		if len(got) > slugifyLength {
			t.Errorf("Slugify(%q) = %q, longer than %d", tt.in, got, slugifyLength)
		}
	}
}

func TestValidSlug(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"a", true},
		{"hello-world", true},
		{"2024-review", true},
		{"a-b-c-1-2-3", true},
		{strings.Repeat("a", MaxSlugLength), true},
		{strings.Repeat("a", MaxSlugLength+1), false},
		{"", false},
		{"-a", false},
		{"a-", false},
		{"a--b", false},
		{"-", false},
		{"Hello", false},
		{"hello world", false},
		{"hello_world", false},
		{"café", false},
		{"a/b", false},
		{"a.b", false},
		{"../etc", false},
	}
	for _, tt := range tests {
		if got := ValidSlug(tt.in); got != tt.want {
			t.Errorf("ValidSlug(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func FuzzSlugify(f *testing.F) {
	for _, s := range []string{"", "Hello, World!", "Café in Zürich", "Straße", "中国", "a--b", strings.Repeat("ab ", 50), "\xff\xfe", "x\u0301\u0301y"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := Slugify(s)
		if got != "" && !ValidSlug(got) {
			t.Fatalf("Slugify(%q) = %q, which is not a valid slug", s, got)
		}
		if len(got) > slugifyLength {
			t.Fatalf("Slugify(%q) = %q, longer than %d", s, got, slugifyLength)
		}
		if again := Slugify(got); again != got {
			t.Fatalf("Slugify is not idempotent: Slugify(%q) = %q, Slugify(%q) = %q", s, got, got, again)
		}
	})
}

func BenchmarkSlugify(b *testing.B) {
	for b.Loop() {
		Slugify("Why the Gulf’s Middle Powers Now Conduct Their Own Statecraft — in Doha, Muscat and Riyadh")
	}
}
