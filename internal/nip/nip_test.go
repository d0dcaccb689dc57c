package nip

import (
	"errors"
	"testing"
	"time"
)

var today = time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)

func TestParseValid(t *testing.T) {
	tests := []struct {
		in, kind string
		birth    string
		year     int
		month    int
		male     bool
		seq      int
	}{
		{"196608011988031001", KindPNS, "1966-08-01", 1988, 3, true, 1},
		{"19660801 198803 1 001", KindPNS, "1966-08-01", 1988, 3, true, 1},
		{"200012312024211001", KindPPPK, "2000-12-31", 2024, 0, true, 1},
		{"199002292015122999", "", "", 0, 0, false, 0}, // 1990 is not a leap year: invalid, below
		{"198802292015122015", KindPNS, "1988-02-29", 2015, 12, false, 15},
		{"199505052023292007", KindPPPK, "1995-05-05", 2023, 0, false, 7}, // part-time contract digit 9
	}
	for _, tt := range tests {
		if tt.kind == "" {
			continue
		}
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseAt(tt.in, today)
			if err != nil {
				t.Fatalf("ParseAt(%q) = %v, want valid", tt.in, err)
			}
			if got.Kind != tt.kind || got.BirthDate.Format("2006-01-02") != tt.birth || got.AppointYear != tt.year ||
				got.AppointMonth != tt.month || got.Male != tt.male || got.Sequence != tt.seq || len(got.NIP) != 18 {
				t.Errorf("ParseAt(%q) = %+v", tt.in, got)
			}
		})
	}
}

func TestParseInvalid(t *testing.T) {
	tests := []struct{ in, rule string }{
		{"", RuleEmpty},
		{"   ", RuleEmpty},
		{"19660801198803100", RuleLength},   // 17 digits
		{"1966080119880310011", RuleLength}, // 19 digits
		{"19660801198803100A", RuleDigits},
		{"196608011988031'01", RuleDigits},
		{"200013312024211001", RuleBirthDate}, // no 13th month
		{"199002292015122999", RuleBirthDate}, // 29 Feb in a common year
		{"196600011988031001", RuleBirthDate}, // month 00
		{"196608321988031001", RuleBirthDate}, // day 32
		{"186608011988031001", RuleBirthDate}, // born 1866
		{"196608011988001001", RuleMonth},     // TMT month 00
		{"196608011988131001", RuleMonth},     // TMT month 13
		{"196608011988301001", RuleMonth},     // digits 13–14 = 30
		{"196608011988033001", RuleSex},       // sex digit 3
		{"196608011988030001", RuleSex},       // sex digit 0
		{"196608011988031000", RuleSequence},
		{"196608012030011001", RuleAppoint}, // appointed in the future
		{"200001012010011001", RuleAppoint}, // appointed at age 10
	}
	for _, tt := range tests {
		t.Run(tt.rule+"/"+tt.in, func(t *testing.T) {
			_, err := ParseAt(tt.in, today)
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("ParseAt(%q) = %v, want *Error", tt.in, err)
			}
			if e.Rule != tt.rule {
				t.Errorf("ParseAt(%q) rule = %s (%s), want %s", tt.in, e.Rule, e.Message, tt.rule)
			}
			if e.Message == "" {
				t.Error("empty message")
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	f.Add("196608011988031001")
	f.Add("200012312024211001")
	f.Fuzz(func(t *testing.T, s string) {
		info, err := ParseAt(s, today)
		if err == nil && (len(info.NIP) != 18 || (info.Kind != KindPNS && info.Kind != KindPPPK)) {
			t.Fatalf("accepted %q as %+v", s, info)
		}
	})
}
