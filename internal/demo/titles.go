package demo

import (
	"math/rand/v2"
	"strings"
)

// Academic titles (gelar) by field of study, consistent with the education level: a front
// title for physicians ("dr."), pharmacists ("apt."), veterinarians ("drh.") and doctorates
// ("Dr."), back titles otherwise ("S.Pd.", "S.E., M.M.", "A.Md.Kep.").

var s1Titles = map[string][]string{
	"umum":        {"S.Sos.", "S.IP.", "S.H.", "S.E.", "S.AP.", "S.Sos.", "S.IP.", "S.Kom."},
	"pendidikan":  {"S.Pd.", "S.Pd.", "S.Pd.", "S.Pd.", "S.Pd.", "S.Pd.", "S.Si."},
	"kesehatan":   {"S.KM.", "S.KM.", "S.Kep.", "S.Gz."},
	"teknik":      {"S.T.", "S.T.", "S.T.", "S.Ars.", "S.PWK."},
	"komputer":    {"S.Kom.", "S.Kom.", "S.T.", "S.Si."},
	"ekonomi":     {"S.E.", "S.E.", "S.Ak.", "S.M."},
	"hukum":       {"S.H."},
	"sosial":      {"S.Sos."},
	"pertanian":   {"S.P.", "S.P.", "S.Pt."},
	"perikanan":   {"S.Pi.", "S.Pi.", "S.Kel."},
	"statistik":   {"S.Stat.", "S.Si."},
	"perawat":     {"S.Kep."},
	"bidan":       {"S.Keb."},
	"farmasi":     {"S.Farm."},
	"gizi":        {"S.Gz."},
	"lab":         {"S.Si."},
	"fisioterapi": {"S.Ft."},
	"sanitasi":    {"S.KM."},
	"rekammedis":  {"S.KM."},
	"radiologi":   {"S.KM."},
}

var s2Titles = map[string][]string{
	"S.Pd.": {"M.Pd."}, "S.Si.": {"M.Si."}, "S.H.": {"M.H."},
	"S.T.": {"M.T.", "M.Si."}, "S.Ars.": {"M.T."}, "S.PWK.": {"M.T.", "M.Si."}, "S.Kom.": {"M.Kom.", "M.T."},
	"S.E.": {"M.M.", "M.Si.", "M.Ak."}, "S.Ak.": {"M.Ak.", "M.M."}, "S.M.": {"M.M."},
	"S.KM.": {"M.Kes.", "M.K.M."}, "S.Kep.": {"M.Kep.", "M.Kes."}, "S.Gz.": {"M.Gz.", "M.Kes."},
	"S.Sos.": {"M.Si.", "M.A.P."}, "S.IP.": {"M.Si.", "M.A.P."}, "S.AP.": {"M.A.P.", "M.Si."},
	"S.P.": {"M.P.", "M.Si."}, "S.Pt.": {"M.Si."}, "S.Pi.": {"M.Si."}, "S.Kel.": {"M.Si."}, "S.Stat.": {"M.Si."},
	"S.Farm.": {"M.Farm."}, "S.Keb.": {"M.Keb."}, "S.Ft.": {"M.Kes."},
}

var d3Titles = map[string]string{
	"kesehatan": "A.Md.Kes.", "teknik": "A.Md.T.", "komputer": "A.Md.Kom.", "ekonomi": "A.Md.Ak.",
	"pertanian": "A.Md.P.", "perikanan": "A.Md.Pi.", "statistik": "A.Md.Stat.", "perawat": "A.Md.Kep.",
	"bidan": "A.Md.Keb.", "farmasi": "A.Md.Farm.", "gizi": "A.Md.Gz.", "lab": "A.Md.AK.",
	"radiologi": "A.Md.Rad.", "rekammedis": "A.Md.RMIK.", "fisioterapi": "A.Md.Ftr.", "sanitasi": "A.Md.KL.",
}

var specialistTitles = []string{"Sp.PD.", "Sp.A.", "Sp.OG.", "Sp.B.", "Sp.An.", "Sp.Rad.", "Sp.P.", "Sp.N.", "Sp.M."}

// healthFields are fields of study whose graduates work in health care.
var healthFields = map[string]bool{"kesehatan": true, "perawat": true, "bidan": true, "farmasi": true, "gizi": true,
	"lab": true, "radiologi": true, "rekammedis": true, "fisioterapi": true, "sanitasi": true, "dokter": true, "drg": true}

// oldStyleFields are fields whose graduates before the 1990s carried "Drs."/"Dra.".
var oldStyleFields = map[string]bool{"umum": true, "pendidikan": true, "ekonomi": true, "sosial": true}

// titles returns the front and back titles of a person with the SIASN education code in a
// field of study.
func titles(r *rand.Rand, code, field string, female bool, birthYear int) (front, back string) {
	switch code {
	case "25":
		return "", "A.Ma."
	case "30":
		if t, ok := d3Titles[field]; ok {
			return "", t
		}
		return "", "A.Md."
	case "35":
		switch {
		case field == "bidan":
			return "", "S.Tr.Keb."
		case field == "perawat":
			return "", "S.Tr.Kep."
		case healthFields[field]:
			return "", "S.Tr.Kes."
		}
		return "", "S.ST."
	case "40":
		return bachelor(r, field, female, birthYear)
	case "42":
		switch field {
		case "dokter":
			return "dr.", ""
		case "drg":
			return "drg.", ""
		case "vet":
			return "drh.", ""
		case "perawat":
			return "", "S.Kep., Ns."
		case "farmasi":
			return "apt.", "S.Farm."
		case "bidan":
			return "", "S.Keb., Bd."
		}
		return bachelor(r, field, female, birthYear)
	case "45":
		switch field {
		case "dokter":
			return "dr.", pick(r, []string{"M.Kes.", "M.Kes.", "M.K.M.", "M.Sc."})
		case "drg":
			return "drg.", "M.Kes."
		case "vet":
			return "drh.", "M.Si."
		case "perawat":
			return "", "S.Kep., Ns., M.Kep."
		case "farmasi":
			return "apt.", "S.Farm., M.Farm."
		case "bidan":
			return "", "S.Keb., Bd., M.Keb."
		}
		f, b := bachelor(r, field, female, birthYear)
		if f != "" { // "Drs. Name, M.Si."
			return f, master(r, "", field)
		}
		return "", b + ", " + master(r, b, field)
	case "47", "49":
		return "dr.", pick(r, specialistTitles)
	case "50":
		f, b := titles(r, "45", field, female, birthYear)
		return strings.TrimSpace("Dr. " + f), b
	}
	return "", "" // SD, SLTP, SLTA, D1
}

// bachelor returns an S1 title, or "Drs."/"Dra." for older graduates in some fields.
func bachelor(r *rand.Rand, field string, female bool, birthYear int) (front, back string) {
	list, ok := s1Titles[field]
	if !ok {
		list = s1Titles["umum"]
		if healthFields[field] {
			list = s1Titles["kesehatan"]
		}
	}
	if birthYear <= 1969 && oldStyleFields[field] && r.IntN(2) == 0 {
		if female {
			return "Dra.", ""
		}
		return "Drs.", ""
	}
	return "", pick(r, list)
}

// master returns an S2 title fitting the S1 title (or the field, for "Drs.").
func master(r *rand.Rand, s1, field string) string {
	if list, ok := s2Titles[s1]; ok {
		return pick(r, list)
	}
	switch field {
	case "pendidikan":
		return "M.Pd."
	case "ekonomi":
		return pick(r, []string{"M.M.", "M.Si."})
	}
	return pick(r, []string{"M.Si.", "M.M.", "M.A.P."})
}

func pick(r *rand.Rand, list []string) string { return list[r.IntN(len(list))] }
