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
