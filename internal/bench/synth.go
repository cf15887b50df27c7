package bench

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/hailong/hailong/internal/org"
	"github.com/hailong/hailong/internal/stats"
	"github.com/hailong/hailong/internal/survey"
)

var (
	benchAgencies = []string{"000.00.01.H48", "000.00.02.H48", "000.00.03.H48", "000.00.04.H48", "000.00.05.H48", "000.00.06.H48"}
	benchChannels = survey.Channels
	benchFields   = fieldCodes()
	// lowFields are rated lower than the rest, as land and building permits are in practice.
	lowFields = map[string]bool{"land": true, "construction": true, "planning": true}
	// ratingWeights are the chances of ratings 1..5, for ordinary and for low fields.
	ratingWeights = map[bool][5]float64{false: {.02, .03, .08, .32, .55}, true: {.07, .10, .18, .33, .32}}
	year2025      = time.Date(2025, 1, 1, 0, 0, 0, 0, stats.TimeZone())
)

func fieldCodes() []string {
	var codes []string
	for _, f := range org.DefaultFields() {
		codes = append(codes, f.Code)
	}
	return codes
}

// unit is where a dossier was handled: 6 agencies × 2 counters, one officer per counter.
type unit struct{ agency, counter, officer, field string }

func randomUnit() unit {
	a, c := rand.IntN(len(benchAgencies)), rand.IntN(2)
	return unit{
		agency: benchAgencies[a], counter: "q" + strconv.Itoa(c+1),
		officer: fmt.Sprintf("cb-%d-%d", a+1, c+1), field: benchFields[rand.IntN(len(benchFields))],
	}
}

// overallRating draws a rating: mostly 4–5, lower in low fields.
func overallRating(low bool) int {
	p := rand.Float64()
	for r, w := range ratingWeights[low] {
		if p < w {
			return r + 1
		}
		p -= w
	}
	return 5
}

// synthResponse is response i of n, submitted in order over 2025 (Asia/Ho_Chi_Minh).
func synthResponse(i, n int) *survey.Response {
	u := randomUnit()
	overall := overallRating(lowFields[u.field])
	span := year2025.AddDate(1, 0, 0).Sub(year2025)
	at := year2025.Add(time.Duration((float64(i) + rand.Float64()) / float64(n) * float64(span)))
	onTime := rand.Float64() < .92
	return &survey.Response{
		Token: survey.NewTicketToken(at), Nonce: survey.NewToken(), SurveyID: "sipas-full", SurveyVersion: 1,
		Overall: overall, Answers: map[string]any{"overall": overall}, Criteria: criteria(overall),
		ExtraPayment: rand.Float64() < .005, DossierCode: fmt.Sprintf("SYN-%09d", i), Field: u.field,
		Agency: u.agency, Counter: u.counter, Officer: u.officer, Channel: benchChannels[rand.IntN(len(benchChannels))],
		OnTime: &onTime, Lang: "vi", SubmittedAt: at.UTC(),
	}
}

// criteria rates each SIPAS criterion within one point of the overall rating.
func criteria(overall int) []survey.CriterionRating {
	out := make([]survey.CriterionRating, len(survey.Criteria))
	for i, c := range survey.Criteria {
		out[i] = survey.CriterionRating{Criterion: c, Rating: min(max(overall+rand.IntN(3)-1, 1), 5)}
	}
	return out
}

func synthBatch(n int) []any {
	docs := make([]any, n)
	for i := range docs {
		docs[i] = synthResponse(rand.IntN(1e6), 1e6)
	}
	return docs
}
