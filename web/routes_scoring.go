package web

import (
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/sertika/sertika/scoring"
)

// routesScoringAPI registers the IP ASN API: an employee's score with its explanation, the
// agency's and an OPD's dashboard, the dashboards' employee lists and the yearly targets.
// Who may see what is decided by scoring.Store (see scoring/access.go).
func (s *Server) routesScoringAPI(api fiber.Router) {
	auth := s.bearerAuth
	api.Get("/employees/:nip/score", auth, s.apiEmployeeScore)
	api.Get("/opds/:code/score", auth, s.apiOPDScore)
	api.Get("/score", auth, s.apiAgencyScore)
	api.Get("/score/employees", auth, s.apiScoreEmployees)
	api.Get("/targets", auth, s.apiTargets)
	api.Put("/targets/:year", auth, s.apiSetTarget)
}

// scoreView is an employee's IP ASN in the API: the score's figures at the top level, the
// explanation and hints, and who the employee is.
type scoreView struct {
	NIP            string           `json:"nip"`
	Name           string           `json:"name"`
	Position       string           `json:"position"`
	Status         string           `json:"status"`
	OPD            opdRef           `json:"opd"`
	Year           int              `json:"year"`
	RuleSet        string           `json:"rule_set"`
	RuleSetVersion string           `json:"rule_set_version"`
	Provisional    bool             `json:"provisional"`
	Measured       bool             `json:"measured"`
	Kualifikasi    float64          `json:"kualifikasi"`
	Kompetensi     float64          `json:"kompetensi"`
	Kinerja        float64          `json:"kinerja"`
	Disiplin       float64          `json:"disiplin"`
	Total          float64          `json:"total"`
	Category       scoring.Category `json:"category"`
	CategoryLabel  string           `json:"category_label"`
	Explanation    []scoring.Line   `json:"explanation"`
	Hints          []scoring.Hint   `json:"hints"`
	JPThisYear     int              `json:"jp_this_year"`
	JPDuty         int              `json:"jp_duty"`
	Incomplete     []string         `json:"incomplete"`
	Stored         bool             `json:"stored"`
}

func viewScore(v *scoring.EmployeeScoreView) scoreView {
	sc := v.Score
	out := scoreView{NIP: v.NIP, Name: v.Name, Position: v.Position, Status: v.Status,
		OPD: opdRef{Code: v.OPDCode, Name: v.OPDName}, Year: v.Year, RuleSet: sc.RuleSet, RuleSetVersion: sc.RuleSetVersion,
		Provisional: sc.Provisional, Measured: sc.Measured, Kualifikasi: sc.Kualifikasi, Kompetensi: sc.Kompetensi,
		Kinerja: sc.Kinerja, Disiplin: sc.Disiplin, Total: sc.Total, Category: sc.Category, CategoryLabel: sc.CategoryLabel,
		Explanation: sc.Explanation, Hints: sc.Hints, JPThisYear: sc.JPThisYear, JPDuty: sc.JPDuty,
		Incomplete: sc.Incomplete, Stored: v.Stored}
	// Lists are always arrays in the API, never null.
	if out.Explanation == nil {
		out.Explanation = []scoring.Line{}
	}
	for i, l := range out.Explanation {
		if l.Facts == nil {
			out.Explanation[i].Facts = []string{}
		}
	}
	if out.Hints == nil {
		out.Hints = []scoring.Hint{}
	}
	if out.Incomplete == nil {
		out.Incomplete = []string{}
	}
	return out
}

// apiScoreYear reads the year query parameter; the current measurement year when absent.
func (s *Server) apiScoreYear(c *fiber.Ctx) (int, error) {
	return queryInt(c, "year", s.Scoring.CurrentYear())
}

func (s *Server) apiEmployeeScore(c *fiber.Ctx) error {
	year, err := s.apiScoreYear(c)
	if err != nil {
		return err
	}
	v, err := s.Scoring.EmployeeScoreFor(c.UserContext(), actor(c), pathParam(c, "nip"), year)
	if err != nil {
		return err
	}
	return c.JSON(viewScore(v))
}

func (s *Server) apiOPDScore(c *fiber.Ctx) error {
	year, err := s.apiScoreYear(c)
	if err != nil {
		return err
	}
	d, err := s.Scoring.OPDDashboard(c.UserContext(), actor(c), pathParam(c, "code"), year)
	if err != nil {
		return err
	}
	return c.JSON(d)
}

func (s *Server) apiAgencyScore(c *fiber.Ctx) error {
	year, err := s.apiScoreYear(c)
	if err != nil {
		return err
	}
	d, err := s.Scoring.AgencyDashboard(c.UserContext(), actor(c), year)
	if err != nil {
		return err
	}
	return c.JSON(d)
}

// maxScoreListLimit caps a page of GET /score/employees.
const maxScoreListLimit = 1000

func (s *Server) apiScoreEmployees(c *fiber.Ctx) error {
	year, err := s.apiScoreYear(c)
	if err != nil {
		return err
	}
	limit, err := queryInt(c, "limit", 50)
	if err != nil {
		return err
	}
	if limit == 0 {
		limit = 50
	}
	limit = min(limit, maxScoreListLimit)
	offset, err := queryInt(c, "offset", 0)
	if err != nil {
		return err
	}
	list := strings.Clone(c.Query("list", scoring.ListAll))
	opd := strings.Clone(strings.TrimSpace(c.Query("opd")))
	rows, total, err := s.Scoring.DashboardList(c.UserContext(), actor(c), opd, year, list, limit, offset)
	if err != nil {
		return err
	}
	if rows == nil {
		rows = []scoring.EmployeeRow{}
	}
	return c.JSON(fiber.Map{"items": rows, "total": total, "limit": limit, "offset": offset, "list": list,
		"year": year, "opd": opd})
}

func (s *Server) apiTargets(c *fiber.Ctx) error {
	ts, err := s.Scoring.Targets(c.UserContext())
	if err != nil {
		return err
	}
	if ts == nil {
		ts = []scoring.Target{}
	}
	return c.JSON(fiber.Map{"items": ts})
}

// targetInput is the body of PUT /targets/{year}.
type targetInput struct {
	Target *float64 `json:"target"`
}

func (s *Server) apiSetTarget(c *fiber.Ctx) error {
	var in targetInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	// A year that is not a number and a missing target are passed on as 0: the store checks
	// the caller's role first, then explains what is wrong.
	year, err := strconv.Atoi(c.Params("year"))
	if err != nil {
		year = 0
	}
	var target float64
	if in.Target != nil {
		target = *in.Target
	}
	if err := s.Scoring.SetTarget(c.UserContext(), actor(c), year, target); err != nil {
		return err
	}
	return c.JSON(scoring.Target{Year: year, Target: target})
}
