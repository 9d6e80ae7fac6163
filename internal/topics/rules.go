package topics

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Context rules lower the confidence of a mention whose surroundings show
// that an ambiguous name means something else. An alias names its rules in
// the gazetteer ("Jordan~0.7{person}"); a mention's confidence is the
// alias's confidence times the factors its rules return. Mentions below
// MinConfidence are not suggested. The rules look only at a few words on
// either side, so they cost the same for every mention, however long the
// text.
//
//   - person: the name is part of a person's name. A capitalised word
//     right before ("Michael Jordan", "Denzel Washington") or right after
//     ("Chad Smith", "Jordan Peterson") drops the mention, unless that word
//     is one that commonly stands next to a country ("In", "Northern",
//     "President", "Army", weekdays, months…) or the text is in title case
//     (the words around it are capitalised too: "Jordan Closes Border").
//     A title before it ("Mr.", "Dr.") drops it too. Words of sport and
//     show business nearby ("NBA", "scored", "coach", "actor") lower it to
//     0.3 of its value.
//   - us-state: the name is the American state ("Georgia", "Washington").
//     "state" right after, or state words within twelve words ("governor",
//     "county", "legislature", "Atlanta", "Seattle"…) drop it; for entries
//     other than the United States, words of American politics nearby
//     ("Senate", "Republicans", "runoff", "GOP") drop it too: they say
//     Georgia the state, and for Washington they still mean the United
//     States.
//   - food: the bird ("Turkey"). Words of cooking and holidays within eight
//     words ("Thanksgiving", "roast", "stuffing", "dinner") drop it.
//   - caps: an abbreviation that is also an English word in capitals ("US",
//     "WHO", "UN"). Next to a word in capitals that is not itself an alias,
//     the text is a headline or shouting in capitals ("WHAT IT MEANS FOR
//     US") and the mention drops to 0.1 of its value.
//
// Besides rules, case settles much: capital letters in an alias must be
// capitals in the text, so "china", "turkey", "chad" and "us" never match;
// and longer names win over the names inside them, so "Niger" is not found
// in "Niger Delta" (an alias of Nigeria) and "America" not in "Latin
// America" (a blocked phrase).

// MinConfidence is the confidence from which an entry is suggested.
const MinConfidence = 0.5

type rule struct {
	name  string
	apply func(c *mentionContext) float64
}

func rules() []rule {
	return []rule{
		{"person", personRule},
		{"us-state", usStateRule},
		{"food", foodRule},
		{"caps", capsRule},
	}
}

// RuleNames lists the context rules an alias may name.
func RuleNames() []string {
	var out []string
	for _, r := range rules() {
		out = append(out, r.name)
	}
	return out
}

func ruleByName(name string) (func(c *mentionContext) float64, bool) {
	for _, r := range rules() {
		if r.name == name {
			return r.apply, true
		}
	}
	return nil, false
}

// mentionContext is what a rule sees of a mention.
type mentionContext struct {
	text       string
	start, end int // byte offsets of the mention in text
	entry      string
	d          *Detector
	before     []word // nearest first
	after      []word
	// possessive is true when "'s" follows the mention ("Chad's").
	possessive bool
}

// word is a word near a mention; sep is the text between it and the word
// (or mention) on its side nearer the mention.
type word struct {
	text string
	sep  string
}

// contextWords is how many words on each side rules may look at.
const contextWords = 12

func isTokenRune(r rune) bool { return isWordRune(r) || r == '\'' || r == '’' || r == '-' }

// wordsAround collects up to n words before and after [start, end), skipping
// a possessive "'s" right after it, and reports whether there was one.
func wordsAround(text string, start, end, n int) (before, after []word, poss bool) {
	i := start
	for len(before) < n && i > 0 {
		j := i
		for j > 0 {
			r, size := utf8.DecodeLastRuneInString(text[:j])
			if isWordRune(r) {
				break
			}
			j -= size
			if i-j > 40 {
				break
			}
		}
		k := j
		for k > 0 {
			r, size := utf8.DecodeLastRuneInString(text[:k])
			if !isTokenRune(r) {
				break
			}
			k -= size
			if j-k > 60 {
				break
			}
		}
		if k == j {
			break
		}
		w := trimWord(text[k:j])
		if endsSentence(text[j:i], w) {
			break
		}
		before = append(before, word{text: w, sep: text[j:i]})
		i = k
	}
	i = end
	for _, s := range []string{"'s", "’s"} {
		if rest, ok := strings.CutPrefix(text[i:], s); ok {
			if r, _ := utf8.DecodeRuneInString(rest); rest == "" || !isWordRune(r) {
				i += len(s)
				poss = true
			}
			break
		}
	}
	for len(after) < n && i < len(text) {
		j := i
		for j < len(text) {
			r, size := utf8.DecodeRuneInString(text[j:])
			if isWordRune(r) {
				break
			}
			j += size
			if j-i > 40 {
				break
			}
		}
		k := j
		for k < len(text) {
			r, size := utf8.DecodeRuneInString(text[k:])
			if !isTokenRune(r) {
				break
			}
			k += size
			if k-j > 60 {
				break
			}
		}
		if k == j {
			break
		}
		left := text[start:end]
		if len(after) > 0 {
			left = after[len(after)-1].text
		}
		if endsSentence(text[i:j], left) {
			break
		}
		after = append(after, word{text: trimWord(text[j:k]), sep: text[i:j]})
		i = k
	}
	return before, after, poss
}

// endsSentence reports whether sep, following the word left, ends a
// sentence or a paragraph: rules look at the mention's own sentence only.
// A full stop after an initial or a title ("U.S.", "Gov.") does not.
func endsSentence(sep, left string) bool {
	if strings.Count(sep, "\n") >= 2 {
		return true
	}
	i := strings.IndexAny(sep, ".!?")
	if i < 0 || !strings.ContainsFunc(sep[i:], unicode.IsSpace) {
		return false
	}
	if sep[i] == '.' && (utf8.RuneCountInString(left) == 1 || titlesBefore[left] || left == "Gov") {
		return false
	}
	return true
}

// onlySpace reports whether sep joins two words of one phrase: white space
// and nothing else, at most one line break.
func onlySpace(sep string) bool {
	if sep == "" {
		return false
	}
	for _, r := range sep {
		if !unicode.IsSpace(r) {
			return false
		}
	}
	return strings.Count(sep, "\n") < 2
}

// possessive strips "'s" so that "Jordan's" reads as "Jordan".
func possessive(w string) string {
	for _, s := range []string{"'s", "’s", "'", "’"} {
		if t, ok := strings.CutSuffix(w, s); ok {
			return t
		}
	}
	return w
}

func set(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}

// nearCountry are capitalised words that often stand right before a
// country's name without making it part of a person's name.
var nearCountry = set("The", "In", "On", "At", "From", "To", "For", "And", "But", "With", "By", "Of", "As",
	"Since", "While", "When", "After", "Before", "Both", "Unlike", "Like", "Including", "Across", "Near",
	"Against", "Between", "Under", "Inside", "Outside", "Within", "Without", "Into", "Toward", "Towards",
	"Through", "Throughout", "Beyond", "Via", "Than", "Or", "Nor", "So", "Yet", "If", "Because", "Although",
	"Though", "Whereas", "Where", "Why", "How", "What", "Which", "That", "This", "Neighbouring", "Neighboring",
	"Northern", "Southern", "Eastern", "Western", "Central", "Modern", "Today", "Does", "Did", "Will", "Would",
	"Can", "Could", "Should", "Has", "Had", "Is", "Was", "Are", "Were", "May", "Might", "Must", "Only", "Even",
	"Also", "Then", "Now", "Meanwhile", "However", "Yesterday", "Tomorrow", "Here", "There", "Once", "Until",
	"About", "Around", "Over", "Among", "Amid", "Along", "Beside", "Besides", "Despite", "During", "Except",
	"Upon", "Whether", "Neither", "Either", "Not", "All", "Every", "Each", "Many", "Most", "Some", "Such",
	"Postwar", "Post-war", "Independent", "Greater", "Rural", "Landlocked", "Tiny", "Mainland", "Hashemite",
	"Royal", "Official", "Officials", "Visit", "Visiting", "Welcome", "Where's", "Why's", "Let", "Pro", "Anti",
	"Ex", "Free", "Soviet", "Colonial", "Independence", "Mr", "Mrs", "Ms", "Dr", "It", "Its", "Their",
	"His", "Her", "Our", "Your", "My", "We", "They", "He", "She", "You", "I", "Do", "Don't", "Doesn't",
	"Nor", "Aid", "Ties", "Unlike", "Says", "Said")

// titlesBefore are titles that, followed by a full stop, make the next word
// a person's name.
var titlesBefore = set("Mr", "Mrs", "Ms", "Dr", "Prof", "Sen", "Rep", "Sgt", "Gen", "Col", "Capt", "Lt", "St")

// afterCountry are capitalised words that often follow a country's name
// without making it a person's name.
var afterCountry = set("President", "Presidents", "Prime", "Minister", "Ministry", "Ministers", "Foreign",
	"Defence", "Defense", "Interior", "Finance", "King", "Queen", "Crown", "Prince", "Emir", "Sultan", "Army",
	"Armed", "Forces", "Air", "Navy", "Government", "Parliament", "National", "Embassy", "Ambassador", "Central",
	"Bank", "Valley", "Times", "Radio", "TV", "News", "Airlines", "Basin", "Border", "State", "Police", "Security",
	"Intelligence", "Treasury", "Trade", "Secretary", "Council", "Court", "Supreme", "Constitutional",
	"Electoral", "Election", "Elections", "Commission", "University", "Cup", "And", "Or", "But", "The", "In",
	"On", "At", "To", "For", "With", "By", "Of", "As", "Is", "Was", "Will", "Has", "Had", "Says", "Said",
	"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "January", "February",
	"March", "April", "May", "June", "July", "August", "September", "October", "November", "December",
	"Street", "Dream", "Party", "Agency", "Republic", "Kingdom", "Federation", "Coast", "Guard", "Navy's")

var showBusiness = set("NBA", "basketball", "Bulls", "scored", "coach", "striker", "goalkeeper", "midfielder",
	"quarterback", "teammate", "teammates", "sneakers", "Nike", "actor", "actress", "singer", "rapper", "album",
	"Hollywood", "footballer", "Premier", "Oscar", "Grammy")

func personRule(c *mentionContext) float64 {
	if len(c.before) > 0 {
		p := c.before[0]
		if titlesBefore[p.text] && strings.HasPrefix(p.sep, ".") {
			return 0
		}
		titleCase := len(c.before) > 1 && onlySpace(c.before[1].sep) && isCapitalised(c.before[1].text)
		if onlySpace(p.sep) && isCapitalised(p.text) && !nearCountry[possessive(p.text)] &&
			!c.d.isAlias(p.text) && !titleCase {
			return 0
		}
	}
	if len(c.after) > 0 && !c.possessive {
		n := c.after[0]
		titleCase := len(c.after) > 1 && onlySpace(c.after[1].sep) && isCapitalised(c.after[1].text)
		if onlySpace(n.sep) && isCapitalised(n.text) && !afterCountry[possessive(n.text)] &&
			!c.d.isAlias(n.text) && !titleCase {
			return 0
		}
	}
	if c.anyWord(10, showBusiness) {
		return 0.3
	}
	return 1
}

var usStateWords = set("governor", "Governor", "Gov", "county", "County", "counties", "legislature",
	"Legislature", "statehouse", "Statehouse", "Atlanta", "Savannah", "Macon", "Augusta", "Seattle", "Spokane",
	"Tacoma", "Olympia", "Peach", "Bulldogs", "Falcons", "Braves", "Seahawks", "Kemp", "Raffensperger", "Inslee")

var usPoliticsWords = set("Senate", "senator", "Senator", "senators", "Republicans", "Republican", "Democrats",
	"GOP", "runoff", "primary", "primaries", "MAGA", "Congress", "congressional", "Warnock", "Ossoff",
	"electoral", "Electoral", "ballots", "voters")

func usStateRule(c *mentionContext) float64 {
	if len(c.after) > 0 && onlySpace(c.after[0].sep) && strings.EqualFold(c.after[0].text, "state") {
		return 0
	}
	if c.anyWord(contextWords, usStateWords) {
		return 0
	}
	if c.entry != "united-states" && c.anyWord(contextWords, usPoliticsWords) {
		return 0
	}
	return 1
}

var foodWords = set("thanksgiving", "roast", "roasted", "stuffing", "gravy", "sandwich", "sandwiches",
	"dinner", "feast", "carve", "carved", "carving", "christmas", "cranberry", "oven", "recipe", "breast",
	"giblets", "bacon", "poultry", "bird", "birds", "feathers", "hunting", "gobble", "pardoned", "pardon",
	"brine", "brined", "drumstick", "leftovers")

func foodRule(c *mentionContext) float64 {
	for _, ws := range [][]word{c.before, c.after} {
		for i, w := range ws {
			if i >= 8 {
				break
			}
			if foodWords[strings.ToLower(possessive(w.text))] {
				return 0
			}
		}
	}
	return 1
}

func capsRule(c *mentionContext) float64 {
	for _, ws := range [][]word{c.before, c.after} {
		if len(ws) == 0 {
			continue
		}
		w := ws[0]
		if strings.Contains(w.sep, "\n") {
			continue
		}
		if isAllCapsWord(w.text) && !c.d.isAlias(w.text) {
			return 0.1
		}
	}
	return 1
}

// anyWord reports whether one of the n nearest words on either side is in
// the set (possessives stripped).
func (c *mentionContext) anyWord(n int, s map[string]bool) bool {
	for _, ws := range [][]word{c.before, c.after} {
		for i, w := range ws {
			if i >= n {
				break
			}
			if s[w.text] || s[possessive(w.text)] {
				return true
			}
		}
	}
	return false
}
