package survey

import "context"

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

// FollowUpStore adds the optional step 2 answers to a stored response.
type FollowUpStore interface {
	// Response returns the stored response of token, or nil when there is none.
	Response(ctx context.Context, token string) (*Response, error)
	// AddFollowUp adds f to the response of token exactly once, counted by the rollups:
	// ErrFollowUpDone when step 2 was already added, ErrFollowUpClosed past FollowUpWindow.
	AddFollowUp(ctx context.Context, token string, f *FollowUp) error
}
