package survey

import (
	"context"
	"time"
)

// TicketStore keeps survey tickets.
type TicketStore interface {
	// IssueTicket stores t unless its dossier already has a ticket; it returns the stored
	// ticket and whether it was created now.
	IssueTicket(ctx context.Context, t *Ticket) (*Ticket, bool, error)
	// TicketByToken returns ErrTicketNotFound for an unknown token.
	TicketByToken(ctx context.Context, token string) (*Ticket, error)
	// TicketByShortCode returns ErrTicketNotFound for an unknown code.
	TicketByShortCode(ctx context.Context, code string) (*Ticket, error)
}

// ResponseStore keeps responses, one per ticket.
type ResponseStore interface {
	// SubmitResponse stores r once; ErrAlreadyRated when the ticket already has a response.
	SubmitResponse(ctx context.Context, r *Response) error
	// Answered reports whether the ticket with token already has a response.
	Answered(ctx context.Context, token string) (bool, error)
}

// Field is a field (lĩnh vực) of administrative procedures; its code never changes.
type Field struct {
	Code   string `bson:"_id" json:"code"`
	Name   Text   `bson:"name" json:"name"`
	Group  string `bson:"group" json:"group"`
	Active bool   `bson:"active" json:"active"`
}

// FieldStore keeps the editable field catalogue.
type FieldStore interface {
	Fields(ctx context.Context) ([]Field, error)
	SaveField(ctx context.Context, f Field) error
}

// APIKey is a credential for the one-stop e-system and scripts; only its hash is stored.
type APIKey struct {
	ID        string    `bson:"key_id" json:"id"`
	Name      string    `bson:"name" json:"name"`
	Scopes    []string  `bson:"scopes" json:"scopes"`
	CreatedAt time.Time `bson:"created_at" json:"created_at"`
	Revoked   bool      `bson:"revoked" json:"revoked"`
}

// API key scopes.
const (
	ScopeTicketsWrite = "tickets:write"
	ScopeStatsRead    = "stats:read"
)

// HasScope reports whether the key grants scope.
func (k *APIKey) HasScope(scope string) bool {
	for _, s := range k.Scopes {
		if s == scope {
			return true
		}
	}
	return false
}

// APIKeyStore keeps API keys by the hash of their secret.
type APIKeyStore interface {
	CreateAPIKey(ctx context.Context, name string, scopes []string) (secret string, key *APIKey, err error)
	APIKeyBySecret(ctx context.Context, secret string) (*APIKey, error)
	RevokeAPIKey(ctx context.Context, id string) error
	APIKeys(ctx context.Context) ([]APIKey, error)
}

// DefaultFields is the field catalogue shipped with the product (PRODUCT.md).
func DefaultFields() []Field {
	f := func(code, vi, en, group string) Field {
		return Field{Code: code, Name: Text{VI: vi, EN: en}, Group: group, Active: true}
	}
	const lci, he, all = "land-construction-investment", "health-education", "overall"
	return []Field{
		f("land", "Đất đai", "Land", lci),
		f("construction", "Hoạt động xây dựng", "Construction", lci),
		f("investment", "Đầu tư", "Investment", lci),
		f("civil-status", "Hộ tịch", "Civil status", all),
		f("certification", "Chứng thực", "Certification", all),
		f("household-business", "Thành lập và hoạt động hộ kinh doanh", "Household business", all),
		f("social-protection", "Bảo trợ xã hội", "Social protection", all),
		f("justice", "Tư pháp", "Justice", all),
		f("education", "Giáo dục", "Education", he),
		f("health", "Y tế", "Health", he),
		f("environment", "Tài nguyên và môi trường", "Natural resources & environment", all),
		f("planning", "Quy hoạch xây dựng, kiến trúc", "Planning & architecture", all),
	}
}
