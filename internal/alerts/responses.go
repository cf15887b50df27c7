package alerts

import (
	"context"
	"sync"
	"time"

	"github.com/hailong/hailong/internal/outbox"
	"github.com/hailong/hailong/internal/survey"
)

// ResponseReader reads a stored response by its ticket token.
type ResponseReader interface {
	Response(ctx context.Context, token string) (*survey.Response, error)
}

// Subscribers tells whether any webhook wants events of a type.
type Subscribers interface {
	Wants(ctx context.Context, typ string) (bool, error)
}

// Responses records response.created for each response the rollups count, while a webhook
// asks for it; with none, nothing is read or written.
type Responses struct {
	Outbox      Recorder
	Responses   ResponseReader
	Subscribers Subscribers
	Labels      Labels

	mu      sync.Mutex
	checked time.Time
	wanted  bool
}

// wantedFor is how long an answer of Subscribers stands.
const wantedFor = 5 * time.Second

// Wanted reports whether a webhook asks for response.created.
func (a *Responses) Wanted(ctx context.Context) (bool, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if time.Since(a.checked) < wantedFor {
		return a.wanted, nil
	}
	w, err := a.Subscribers.Wants(ctx, outbox.ResponseCreated)
	if err != nil {
		return false, err
	}
	a.wanted, a.checked = w, time.Now()
	return w, nil
}

// responseData is what response.created says: the dossier and how it was rated, never the
// comment, the answers or the officer.
type responseData struct {
	DossierCode string `json:"dossier_code"`
	place
	Channel     string    `json:"channel"`
	Rating      int       `json:"rating"`
	Satisfied   bool      `json:"satisfied"`
	SubmittedAt time.Time `json:"submitted_at"`
}

// ResponsesCreated records response.created for each response token of ids.
func (a *Responses) ResponsesCreated(ctx context.Context, ids []string) error {
	evs := make([]outbox.Event, 0, len(ids))
	for _, id := range ids {
		r, err := a.Responses.Response(ctx, id)
		if err != nil {
			return err
		}
		if r == nil || r.Misuse {
			continue
		}
		d := responseData{DossierCode: r.DossierCode, place: placeOf(ctx, a.Labels, r.Field, r.Agency, r.Counter),
			Channel: string(r.Channel), Rating: r.Overall, Satisfied: r.Overall >= 4, SubmittedAt: r.SubmittedAt}
		ev, err := outbox.NewEvent(outbox.ResponseCreated, r.SubmittedAt, r.Agency, d, id)
		if err != nil {
			return err
		}
		evs = append(evs, ev)
	}
	return a.Outbox.Record(ctx, evs...)
}
