// Package esystem serves the one-stop e-system: called with an API key, it issues the survey
// ticket of each completed dossier.
package esystem

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/hailong/hailong/internal/cases"
	"github.com/hailong/hailong/internal/survey"
	"github.com/hailong/hailong/internal/ticket"
	"github.com/hailong/hailong/internal/web/webkit"
)

// TicketAPI issues tickets for the e-system.
type TicketAPI struct {
	webkit.Base
	Issuer *ticket.Issuer
	URLs   webkit.TicketURLs
	// Invite mails the survey invitation of a batch item that carries the citizen's e-mail;
	// nil when e-mail is off.
	Invite Inviter
}

// Inviter mails a citizen the survey link of ticket t, in lang, using the address only for that.
type Inviter interface {
	Invite(ctx context.Context, t *survey.Ticket, surveyURL, email, lang string) error
}

// batchItem is one dossier of a batch: a ticket request, and for an online or postal dossier
// the citizen's e-mail address for the invitation, with its language.
type batchItem struct {
	survey.TicketRequest
	Email string `json:"email"`
	Lang  string `json:"lang"`
}

// Whether an item's invitation went out (batchResult.Invitation).
const (
	invitationQueued = "queued" // in the outbox; the address is kept sealed until it is sent
	invitationOff    = "off"    // e-mail is off on this server: nothing will be sent
)

var (
	errEmail       = survey.FieldError{Question: "email", Reason: survey.ReasonRange, Message: survey.Msg("error.invite_email")}
	errEmailDirect = survey.FieldError{Question: "email", Reason: survey.ReasonRange, Message: survey.Msg("error.invite_direct")}
	errInviteLang  = survey.FieldError{Question: "lang", Reason: survey.ReasonRange, Message: survey.Msg("error.invite_lang")}
)

// check checks the invitation part of an item.
func (it *batchItem) check() survey.FieldErrors {
	var errs survey.FieldErrors
	it.Email = strings.TrimSpace(it.Email)
	if it.Lang != "" && it.Lang != "vi" && it.Lang != "en" {
		errs = append(errs, errInviteLang)
	}
	if it.Email == "" {
		return errs
	}
	if cases.NormalizeEmail(it.Email) == "" {
		errs = append(errs, errEmail)
	} else if it.Delivery != survey.DeliveryOnline && it.Delivery != survey.DeliveryPostal {
		errs = append(errs, errEmailDirect)
	}
	return errs
}

// errTooMany refuses a batch of more than ticket.BatchLimit dossiers.
var errTooMany = survey.Errorf(survey.CodeInvalid, "error.batch_too_many", "max", strconv.Itoa(ticket.BatchLimit))

// Issue handles POST /api/v1/tickets: 201 with a new ticket, 200 with the ticket the dossier
// already has.
func (h *TicketAPI) Issue(c *fiber.Ctx) error {
	var req survey.TicketRequest
	if err := webkit.DecodeJSON(c.Body(), &req); err != nil {
		return err
	}
	req.IssuedBy = survey.IssuedByAPI
	t, created, err := h.Issuer.Issue(c.UserContext(), &req)
	if err != nil {
		return err
	}
	return c.Status(issueStatus(created)).JSON(answer(h.URLs, t))
}

// issueStatus is 201 for a ticket issued now, 200 for the one the dossier already had.
func issueStatus(created bool) int {
	if created {
		return fiber.StatusCreated
	}
	return fiber.StatusOK
}

// Batch handles POST /api/v1/tickets/batch: a JSON array of up to ticket.BatchLimit requests
// like Issue's, answered 200 with one result per item in order. An item that is not valid fails
// alone with 422; a store failure fails the whole call, which can then be sent again as is.
func (h *TicketAPI) Batch(c *fiber.Ctx) error {
	items, err := webkit.DecodeJSONArray(c.Body())
	if err != nil {
		return err
	}
	if len(items) > ticket.BatchLimit {
		return errTooMany
	}
	results := make([]batchResult, len(items))
	reqs, at := make([]*survey.TicketRequest, 0, len(items)), make([]int, 0, len(items))
	kept := make([]batchItem, len(items))
	for i, raw := range items {
		it := &kept[i]
		if err := webkit.DecodeJSON(raw, it); err != nil {
			results[i] = h.failed(c, err)
			continue
		}
		if errs := it.check(); len(errs) > 0 {
			results[i] = h.failed(c, errs)
			continue
		}
		it.IssuedBy = survey.IssuedByAPI
		reqs, at = append(reqs, &it.TicketRequest), append(at, i)
	}
	for j, r := range h.Issuer.IssueAll(c.UserContext(), reqs) {
		if r.Err != nil && survey.ErrorCode(r.Err) != survey.CodeInvalid {
			return r.Err
		}
		results[at[j]] = h.issued(c, r)
		if it := &kept[at[j]]; r.Err == nil && it.Email != "" {
			if results[at[j]].Invitation, err = h.invite(c, r.Ticket, it); err != nil {
				return err
			}
		}
	}
	return c.JSON(batchAnswer{Results: results})
}

// invite queues the invitation of item it for ticket t, or says e-mail is off.
func (h *TicketAPI) invite(c *fiber.Ctx, t *survey.Ticket, it *batchItem) (string, error) {
	if h.Invite == nil {
		return invitationOff, nil
	}
	lang := it.Lang
	if lang == "" {
		lang = "vi"
	}
	if err := h.Invite.Invite(c.UserContext(), t, h.URLs.Survey(t), it.Email, lang); err != nil {
		return "", err
	}
	return invitationQueued, nil
}

// batchAnswer is the answer to a batch: results[i] is the outcome of the i-th item.
type batchAnswer struct {
	Results []batchResult `json:"results"`
}

// batchResult is one item's outcome: the status the single call would have answered, with the
// ticket (201, 200) or the error (422).
type batchResult struct {
	Status int           `json:"status"`
	Ticket *ticketAnswer `json:"ticket,omitempty"`
	// Invitation says whether the e-mail invitation was queued ("queued") or e-mail is off ("off").
	Invitation string `json:"invitation,omitempty"`
	*webkit.APIError
}

// issued is the result of an item the issuer was given.
func (h *TicketAPI) issued(c *fiber.Ctx, r ticket.Result) batchResult {
	if r.Err != nil {
		return h.failed(c, r.Err)
	}
	a := answer(h.URLs, r.Ticket)
	return batchResult{Status: issueStatus(r.Created), Ticket: &a}
}

// failed is the result of an item that is not a valid request: 422 with its errors, in the
// caller's language.
func (h *TicketAPI) failed(c *fiber.Ctx, err error) batchResult {
	_, body := h.Classify(c, err)
	return batchResult{Status: fiber.StatusUnprocessableEntity, APIError: &body}
}

// ticketAnswer is the JSON the e-system gets for an issued ticket.
type ticketAnswer struct {
	Token       string `json:"token"`
	ShortCode   string `json:"short_code"`
	DossierCode string `json:"dossier_code"`
	SurveyURL   string `json:"survey_url"`
	QRPNGURL    string `json:"qr_png_url"`
	QRSVGURL    string `json:"qr_svg_url"`
	ExpiresAt   string `json:"expires_at"`
}

// answer is what the e-system gets for t.
func answer(urls webkit.TicketURLs, t *survey.Ticket) ticketAnswer {
	return ticketAnswer{
		Token: t.Token, ShortCode: t.ShortCode, DossierCode: t.DossierCode,
		SurveyURL: urls.Survey(t), QRPNGURL: urls.QR(t, "png"), QRSVGURL: urls.QR(t, "svg"),
		ExpiresAt: t.ExpiresAt.UTC().Format(time.RFC3339),
	}
}
