package org

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/hailong/hailong/internal/survey"
)

// ProcedureStore keeps the name of each administrative procedure by its code.
type ProcedureStore interface {
	SaveProcedureName(ctx context.Context, code, name string) error
	ProcedureNames(ctx context.Context) (map[string]string, error)
}

// Procedures names procedure codes for figures grouped by procedure. It learns each name from
// the tickets the e-system issues (the name a ticket carries, the latest wins) and stores it
// once, so every instance can label the code.
type Procedures struct {
	store  ProcedureStore
	log    *slog.Logger
	mu     sync.Mutex
	names  map[string]string
	loaded time.Time
}

// procedureReload is how long an unknown code waits before the names are read again (another
// instance may have learned it).
const procedureReload = 10 * time.Second

// NewProcedures returns the procedure names kept in store.
func NewProcedures(store ProcedureStore, log *slog.Logger) *Procedures {
	return &Procedures{store: store, log: log, names: map[string]string{}}
}

// TicketsIssued stores the procedure names of ts that are new or have changed. Failures are
// logged: the tickets are issued all the same.
func (p *Procedures) TicketsIssued(ctx context.Context, ts []*survey.Ticket) {
	for _, t := range ts {
		p.ticketIssued(ctx, t)
	}
}

func (p *Procedures) ticketIssued(ctx context.Context, t *survey.Ticket) {
	if t.ProcedureCode == "" || t.ProcedureName == "" {
		return
	}
	p.mu.Lock()
	known := p.names[t.ProcedureCode] == t.ProcedureName
	p.names[t.ProcedureCode] = t.ProcedureName
	p.mu.Unlock()
	if known {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
	defer cancel()
	if err := p.store.SaveProcedureName(ctx, t.ProcedureCode, t.ProcedureName); err != nil {
		p.log.Warn("procedures: store a name", "err", err)
	}
}

// Name is the name of procedure code, "" when none is known.
func (p *Procedures) Name(ctx context.Context, code string) string {
	p.mu.Lock()
	name, ok := p.names[code]
	stale := !ok && time.Since(p.loaded) > procedureReload
	if stale {
		p.loaded = time.Now()
	}
	p.mu.Unlock()
	if !stale {
		return name
	}
	names, err := p.store.ProcedureNames(ctx)
	if err != nil {
		p.log.Warn("procedures: read the names", "err", err)
		return ""
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for c, n := range names {
		if _, mine := p.names[c]; !mine {
			p.names[c] = n
		}
	}
	return p.names[code]
}
