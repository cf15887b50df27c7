package org

import (
	"context"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/hailong/hailong/internal/survey"
)

// Identity is who the centre is on paper: the names an official document is headed with, its
// number prefix and signer, the emblem on every page, and the sites allowed to embed its results.
type Identity struct {
	Name         string   // the centre's official name, e.g. "Trung tâm Phục vụ hành chính công"
	Parent       string   // cơ quan chủ quản, e.g. "UBND thị xã Hương Trà"
	Place        string   // địa danh on the date line, e.g. "Hương Trà"
	Hotline      string   // shown to citizens
	NumberPrefix string   // the issuer's symbol after "BC-", e.g. "TTPVHCC"
	SignerTitle  string   // e.g. "GIÁM ĐỐC"
	SignerName   string   // e.g. "Nguyễn Văn A"
	Recipients   []string // the report's "Nơi nhận" list, one per line
	CutoffDay    int      // 0: calendar periods; 2..28: a period runs from this day to the day before it
	FrameOrigins []string // origins (https://portal.example) that may embed /cong-khai
	Logo         []byte   // PNG, or SVG already sanitised; empty: none
	LogoType     string   // "image/png" or "image/svg+xml"
	UpdatedAt    time.Time
}

// Identity limits.
const (
	MaxLogoBytes    = 200 * 1024
	maxIdentityText = 200
	maxRecipients   = 20
	maxFrameOrigins = 10
	maxCutoffDay    = 28
	logoTypePNG     = "image/png"
	logoTypeSVG     = "image/svg+xml"
)

var (
	errIdentityText   = survey.Errorf(survey.CodeInvalid, "error.identity_text")
	errIdentityCutoff = survey.Errorf(survey.CodeInvalid, "error.identity_cutoff")
	errIdentityOrigin = survey.Errorf(survey.CodeInvalid, "error.identity_origin")
)

// Validate checks the texts' lengths, the cut-off day and the embedding origins.
func (id Identity) Validate() error {
	for _, s := range append([]string{id.Name, id.Parent, id.Place, id.Hotline, id.NumberPrefix, id.SignerTitle, id.SignerName}, id.Recipients...) {
		if utf8.RuneCountInString(s) > maxIdentityText || strings.ContainsAny(s, "\r\n") {
			return errIdentityText
		}
	}
	if len(id.Recipients) > maxRecipients {
		return errIdentityText
	}
	if id.CutoffDay == 1 || id.CutoffDay < 0 || id.CutoffDay > maxCutoffDay {
		return errIdentityCutoff
	}
	if len(id.FrameOrigins) > maxFrameOrigins {
		return errIdentityOrigin
	}
	for _, o := range id.FrameOrigins {
		if !ValidOrigin(o) {
			return errIdentityOrigin
		}
	}
	return nil
}

// ValidOrigin reports whether o is a bare web origin: https (or http) scheme, a host, an
// optional port, nothing else; anything more could widen a frame-ancestors or CORS header.
func ValidOrigin(o string) bool {
	u, err := url.Parse(o)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return false
	}
	if u.User != nil || u.Path != "" || u.RawQuery != "" || u.Fragment != "" || strings.ContainsAny(o, " ;,*'\"") {
		return false
	}
	return u.Scheme+"://"+u.Host == o
}

// Agency is the issuing agency's name, or fallback when none is set.
func (id Identity) Agency(fallback string) string {
	if id.Name != "" {
		return id.Name
	}
	return fallback
}

// IdentityStore keeps the centre's identity.
type IdentityStore interface {
	// Identity returns the stored identity, the zero Identity when none is stored.
	Identity(ctx context.Context) (Identity, error)
	SaveIdentity(ctx context.Context, id Identity) error
}

// Identities serves the identity from memory, reloading it every minute and after a save, so
// every page can show the emblem without reading the store.
type Identities struct {
	store    IdentityStore
	log      *slog.Logger
	mu       sync.RWMutex
	cur      Identity
	loadedAt time.Time
}

// NewIdentities returns the identity look-up over store.
func NewIdentities(store IdentityStore, log *slog.Logger) *Identities {
	return &Identities{store: store, log: log}
}

// Get returns the identity in force; a store error keeps the last one read.
func (s *Identities) Get(ctx context.Context) Identity {
	if s == nil || s.store == nil {
		return Identity{}
	}
	s.mu.RLock()
	cur, fresh := s.cur, time.Since(s.loadedAt) < time.Minute
	s.mu.RUnlock()
	if fresh {
		return cur
	}
	id, err := s.store.Identity(ctx)
	if err != nil {
		s.log.Warn("load identity", "err", err)
		return cur
	}
	s.mu.Lock()
	s.cur, s.loadedAt = id, time.Now()
	s.mu.Unlock()
	return id
}

// Save validates and stores id, and serves it from now on.
func (s *Identities) Save(ctx context.Context, id Identity) error {
	if err := id.Validate(); err != nil {
		return err
	}
	if err := s.store.SaveIdentity(ctx, id); err != nil {
		return err
	}
	s.mu.Lock()
	s.cur, s.loadedAt = id, time.Now()
	s.mu.Unlock()
	return nil
}
