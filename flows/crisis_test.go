package flows

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func crisis(t testing.TB) *CrisisMatcher {
	t.Helper()
	c, err := LoadCrisis()
	if err != nil {
		t.Fatalf("LoadCrisis: %v", err)
	}
	return c
}

func TestCrisisPositives(t *testing.T) {
	c := crisis(t)
	for _, text := range []string{
		// Dutch, suicide
		"zelfmoord",
		"Ik denk aan ZELFMOORD.",
		"ik heb zelfmoordgedachten",
		"zelfmoooooord",
		"z3lfm00rd",
		"zelf-moord",
		"zelf moord",
		"zelfmoort",
		"𝐳𝐞𝐥𝐟𝐦𝐨𝐨𝐫𝐝",
		"ＺＥＬＦＭＯＯＲＤ",
		"zelf\u200bmoord",
		"ik ben suïcidaal",
		"suicidaal",
		"ik wil dood",
		"ik wil dooooood",
		"Ik wil gewoon dood!!",
		"ik wil echt dood gaan",
		"ik wil doodgaan",
		"ik wou dat ik dood was",
		"ik wil niet meer leven",
		"ik wil echt niet meer leven",
		"ik heb geen zin meer in het leven",
		"ik wil er een eind aan maken",
		"ik ga er een einde aan maken",
		"dat ik er een eind aan wil maken",
		"ik wil er niet meer zijn",
		"ik wil er nie meer zijn",
		"ik wil mezelf van kant maken",
		"ik ga me ophangen",
		"ik spring voor de trein",
		"ik wil voor een trein springen",
		"ik wil mezelf unaliven",
		"ik wil sterven",
		// Dutch, self-harm
		"ik wil mezelf iets aandoen",
		"ik ga mezelf wat aandoen",
		"ik snij in mezelf",
		"ik snijd mezelf",
		"ik heb weer in mijn armen gesneden",
		"ik heb mezelf gesneden",
		"ik kras mezelf",
		"zelfbeschadiging",
		// Dutch, violence and abuse
		"hij slaat me",
		"mijn vader slaat mij",
		"mijn stiefvader sloeg me gisteren",
		"ik word geslagen",
		"ik ben in elkaar geslagen",
		"ik sla hem",
		"ik ben mishandeld",
		"ik ben misbruikt",
		"ze hebben me verkracht",
		"ik ben aangerand",
		"hij heeft aan me gezeten",
		"ik word bedreigd",
		"hij bedreigde me met een mes",
		"ik voel me thuis niet veilig",
		"ik ben bang voor mijn vader",
		"mijn loverboy",
		// English
		"I want to kill myself",
		"gonna k1ll mys3lf",
		"kms",
		"i want to die",
		"I wanna diee",
		"I just want to end it all",
		"suicide",
		"I'm suicidal",
		"self harm",
		"self-harm",
		"selfharm",
		"I hurt myself again",
		"i cut myself",
		"he hits me",
		"my mom's boyfriend hits me",
		"I was abused",
		"she got raped",
		"I don't want to live anymore",
		"dont want to be alive",
		"better off dead",
		"he threatens me",
		"I'm not safe at home",
	} {
		if _, ok := c.Match(text); !ok {
			t.Errorf("Match(%q) = false, want a match", text)
		}
	}
}

func TestCrisisNegatives(t *testing.T) {
	c := crisis(t)
	for _, text := range []string{
		"",
		"   ",
		"het gaat goed",
		"ik ben doodmoe",
		"doodmoe van het werk",
		"ik ga dood van het lachen",
		"ik lach me dood",
		"ik ga dood van de honger",
		"dat is doodnormaal",
		"doodgewoon",
		"ik wil niet meer naar school",
		"ik wil een andere baan",
		"ik sla de les over",
		"ik sla me er wel doorheen",
		"ik snij de groente",
		"ik heb mezelf verslapen",
		"ik hang de was op",
		"ik heb een slaapdip",
		"ik reed 20 kilometer",
		"this job is killing me",
		"beats me",
		"hit me up later",
		"I'm dead tired",
		"that killed me lol",
		"I cut my hair",
		"dead line morgen",
		"skills",
		"ik heb geen zin in school",
		"113",
		"👍",
		"Dank je wel, tot volgende week!",
	} {
		if phrase, ok := c.Match(text); ok {
			t.Errorf("Match(%q) = %q, want no match", text, phrase)
		}
	}
}

func TestNormalize(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"Ik wil DOOOOD!!!", []string{"ik", "wil", "dod"}},
		{"z3lf-m00rd", []string{"zelfmord"}},
		{"Suïcïdé", []string{"suicide"}},
		{"don't", []string{"dont"}},
		{"self‑harm", []string{"selfharm"}},
		{"k1ll mys3lf @ 113 $", []string{"kil", "myself", "113"}},
		{"h@te", []string{"hate"}},
		{"a\u00adb c\u200bd", []string{"ab", "cd"}},
		{"", nil},
		{"!?", nil},
	}
	for _, tt := range tests {
		got := normalize(tt.in)
		if len(got) == 0 {
			got = nil
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("normalize(%q) (-want +got):\n%s", tt.in, diff)
		}
	}
}

func TestParseCrisis(t *testing.T) {
	src := `# comment
category: suicide crisis r.suicide
category: job urgent -
class wil: wil wou
rule suicide wil_dood: @wil dood within 4  # trailing comment
rule suicide selfharm: selfharm*|"self harm"
rule suicide kan: "kan niet meer $"
rule job ontslagen: ontslagen unless "haha"
ignore: "lach* me dood"
`
	c, err := ParseCrisis([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		text, want string
		ok         bool
	}{
		{"ik wil dood", "suicide/wil_dood", true},
		{"dood wil ik", "suicide/wil_dood", true}, // any order
		{"ik wil echt heel dood", "suicide/wil_dood", true},
		{"ik wil echt heel erg graag dood", "", false}, // too far apart
		{"ik wou doof", "", false},                     // "dood" is too short for a typo
		{"selfharming", "suicide/selfharm", true},
		{"self harm", "suicide/selfharm", true},
		{"self", "", false},
		{"ik kan niet meer", "suicide/kan", true},
		{"ik kan niet meer. echt", "suicide/kan", true},
		{"ik kan niet meer wachten", "", false},
		{"ik lach me dood wil ik", "", false}, // the figure of speech is masked
		{"ik ben ontslagen", "", false},       // urgent, not crisis
	}
	for _, tt := range tests {
		got, ok := c.Match(tt.text)
		if got != tt.want || ok != tt.ok {
			t.Errorf("Match(%q) = %q, %v; want %q, %v", tt.text, got, ok, tt.want, tt.ok)
		}
	}
	if d := c.Detect("ik ben ontslagen haha"); d.Tier != TierNone {
		t.Errorf("unless did not hold: %+v", d)
	}
	if d := c.Detect("ze hebben me ontslagen"); d.Tier != TierUrgent || d.Hits[0].Category.Signal != "urgent_job" {
		t.Errorf("Detect: %+v", d)
	}
	for _, bad := range []string{
		"",
		"# only a comment\n",
		"category: a crisis r\nrule a x: .. dood\n",
		"category: a crisis r\nrule a x: wil ..\n",
		"category: a crisis r\nrule a x: zelf*moord\n",
		"category: a crisis r\nrule a x: @nope\n",
		"category: a crisis r\nrule b x: dood\n",
		"category: a boom r\nrule a x: dood\n",
		"category: a crisis r\nrule a x: \"dood\n",
		"category: a crisis r\nrule a x: $\n",
		"category: a crisis r\nclass c: x\nrule a x: dood\n", // unused class
		"category: a crisis r\nrule a x: dood within 99\n",
		"category: a crisis -\nrule a x: dood\n", // a crisis needs a reply
		"category: a crisis r\n",                 // no rules
		"category: a crisis r\nzomaar iets\n",
	} {
		if _, err := ParseCrisis([]byte(bad)); err == nil {
			t.Errorf("ParseCrisis(%q) succeeded", bad)
		}
	}
}

func FuzzMatch(f *testing.F) {
	c := crisis(f)
	for _, s := range []string{"ik wil dood", "z3lfm00rd", "doodmoe", "", "\xff", "a\u0301", "𝐳", "wil wil wil wil dood", "..", "*",
		"🔪🩸💊🪢", "ik kan niet meer.", "$ . $", "%many 30 pillen", "ik ik ik ik ik ik ik ik ik ik ik ik ik ik", "\u200d\ufe0f👍🏽",
		"mn vader slaat me", "ze chanteren me met naaktfoto's", "de deurwaarder komt"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		phrase, ok := c.Match(s)
		if ok != (phrase != "") {
			t.Errorf("Match(%q) = %q, %v", s, phrase, ok)
		}
		d := c.Detect(s)
		if (d.Tier == TierNone) != (len(d.Hits) == 0) {
			t.Errorf("Detect(%q): tier %s with %d hits", s, d.Tier, len(d.Hits))
		}
		if ok != (d.Tier == TierCrisis) {
			t.Errorf("Match and Detect disagree on %q", s)
		}
		for i := 1; i < len(d.Hits); i++ {
			if d.Hits[i].Category.Tier > d.Hits[i-1].Category.Tier {
				t.Errorf("Detect(%q): hits not most serious first", s)
			}
		}
		if c.Explain(s) == "" {
			t.Errorf("Explain(%q) is empty", s)
		}
		for _, w := range normalize(s) {
			if w == "" || strings.ContainsFunc(w, func(r rune) bool { return r == ' ' }) {
				t.Errorf("normalize(%q) has word %q", s, w)
			}
		}
	})
}

func BenchmarkMatch(b *testing.B) {
	c := crisis(b)
	for _, bm := range []struct{ name, text string }{
		{"short", "Het gaat wel oké, ik heb morgen een sollicitatie bij de Albert Heijn!"},
		{"4096", strings.Repeat("het gaat best goed met mij en mijn werk, ", 100)},
		{"4096 words", strings.Repeat("ik me mn wil ", 1000)},
	} {
		b.Run(bm.name, func(b *testing.B) {
			for b.Loop() {
				c.Match(bm.text)
			}
		})
	}
}
