// Package mail e-mails managers and staff what the outbox records (integrity reports, targets
// missed, cases nearing or past their deadline, the daily digest and the weekly summary) as
// each chose in their profile, and mails citizens the survey invitations the one-stop e-system
// asks for. Messages are plain text with an HTML alternative, in the user's language
// (Vietnamese unless they chose English), framed and sent by github.com/wneessen/go-mail over
// SMTP with STARTTLS whenever the server offers it.
package mail

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/hailong/hailong/internal/account"
	"github.com/hailong/hailong/internal/outbox"
)

// Users are the staff accounts mail goes to.
type Users interface {
	Users(ctx context.Context) ([]account.User, error)
	UserByName(ctx context.Context, name string) (*account.User, error)
}

// Scope tells whether a user scoped to unit own ("" for all) sees unit agency.
type Scope func(own, agency string) bool

// Opener opens an invitation's sealed address.
type Opener interface {
	Open(sealed []byte, label string) ([]byte, error)
}

// AddressLabel is the label an invitation's address is sealed under.
const AddressLabel = "invitation"

// Mailer routes outbox events to mailboxes and sends them.
type Mailer struct {
	Users   Users
	Scope   Scope
	Opener  Opener
	BaseURL string
	// Sign is the sign-off under every message: the centre's official name, "" for none.
	Sign func(ctx context.Context) string

	from   string
	client *gomail.Client
}

// New returns a mailer sending through the SMTP server at smtpURL (smtp://user:pass@host:587,
// or smtps:// for TLS from the first byte) as from.
func New(smtpURL, from string) (*Mailer, error) {
	u, err := url.Parse(smtpURL)
	if err != nil {
		return nil, fmt.Errorf("mail: HAILONG_SMTP_URL: %w", err)
	}
	port := 587
	if u.Scheme == "smtps" {
		port = 465
	}
	if p := u.Port(); p != "" {
		if port, err = strconv.Atoi(p); err != nil {
			return nil, fmt.Errorf("mail: HAILONG_SMTP_URL port %q", p)
		}
	}
	opts := []gomail.Option{gomail.WithPort(port), gomail.WithTimeout(10 * time.Second)}
	if u.Scheme == "smtps" {
		opts = append(opts, gomail.WithSSL())
	} else {
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSOpportunistic))
	}
	if u.User != nil {
		pass, _ := u.User.Password()
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(u.User.Username()), gomail.WithPassword(pass))
	}
	client, err := gomail.NewClient(u.Hostname(), opts...)
	if err != nil {
		return nil, fmt.Errorf("mail: %w", err)
	}
	return &Mailer{from: from, client: client}, nil
}

// Route names the mailboxes ev goes to: the invitation's citizen, or the users whose choices,
// role and part of the organisation ask for it.
func (m *Mailer) Route(ctx context.Context, ev *outbox.Event) ([]outbox.Target, error) {
	if ev.Type == outbox.Invitation {
		if len(ev.To) == 0 {
			return nil, nil
		}
		return []outbox.Target{{Kind: outbox.KindMail, ID: ""}}, nil
	}
	users, err := m.Users.Users(ctx)
	if err != nil {
		return nil, err
	}
	data := ev.Fields()
	var out []outbox.Target
	for i := range users {
		if m.wants(&users[i], ev, data) {
			out = append(out, outbox.Target{Kind: outbox.KindMail, ID: users[i].Name})
		}
	}
	return out, nil
}

// wants reports whether u is to be mailed ev, whose data is decoded.
func (m *Mailer) wants(u *account.User, ev *outbox.Event, data map[string]any) bool {
	if u.Disabled || u.Email == "" {
		return false
	}
	n := u.Notifications()
	str := func(k string) string { s, _ := data[k].(string); return s }
	switch ev.Type {
	case outbox.CaseOpened:
		return n.Alerts && u.Manages() && str("kind") == "integrity" && m.Scope(u.Agency, ev.Agency)
	case outbox.TargetBelow:
		return n.Alerts && u.Manages() && m.Scope(u.Agency, ev.Agency)
	case outbox.CaseDueSoon:
		if a := str("assignee"); a != "" {
			return n.Reminders && a == u.Name
		}
		return n.Reminders && u.Manages() && m.Scope(u.Agency, ev.Agency)
	case outbox.CaseOverdue:
		if !n.Reminders {
			return false
		}
		return str("assignee") == u.Name || (u.Manages() && (m.Scope(u.Agency, ev.Agency) || (str("escalated_to") != "" && m.Scope(u.Agency, str("escalated_to")))))
	case outbox.DigestDaily:
		return n.Daily && u.Role != account.RoleOfficer
	case outbox.DigestWeekly:
		return n.Weekly && u.Role != account.RoleOfficer
	}
	return false
}

// Send makes one attempt at mailing ev by d.
func (m *Mailer) Send(ctx context.Context, d *outbox.Delivery, ev *outbox.Event) outbox.Outcome {
	to, lang, scope := "", "vi", ""
	if d.Target == "" {
		addr, err := m.Opener.Open(d.Address, AddressLabel)
		if err != nil || len(addr) == 0 {
			return outbox.Outcome{Err: errors.New("the invitation's address is no longer kept"), Permanent: true}
		}
		to = string(addr)
		if l, _ := ev.Fields()["lang"].(string); l == "en" {
			lang = "en"
		}
	} else {
		u, err := m.Users.UserByName(ctx, d.Target)
		if errors.Is(err, account.ErrUserNotFound) {
			return outbox.Outcome{Err: errors.New("the user was removed"), Skip: true}
		}
		if err != nil {
			return outbox.Outcome{Err: err}
		}
		if !m.wants(u, ev, ev.Fields()) {
			return outbox.Outcome{Err: errors.New("the user no longer asks for this"), Skip: true}
		}
		to, scope = u.Email, u.Agency
		if u.Lang == "en" {
			lang = "en"
		}
	}
	sign := ""
	if m.Sign != nil {
		sign = m.Sign(ctx)
	}
	msg, err := m.message(ev, d, lang, to, scope, sign)
	if err != nil {
		return outbox.Outcome{Err: err, Permanent: true}
	}
	if err := m.client.DialAndSendWithContext(ctx, msg); err != nil {
		var se *gomail.SendError
		if errors.As(err, &se) {
			return outbox.Outcome{Status: se.ErrorCode(), Err: fmt.Errorf("SMTP: %s", se.Error())}
		}
		return outbox.Outcome{Err: fmt.Errorf("SMTP: %w", err)}
	}
	return outbox.Outcome{Status: 250}
}

// message is ev as an e-mail to to in lang, for a user scoped to unit scope.
func (m *Mailer) message(ev *outbox.Event, d *outbox.Delivery, lang, to, scope, sign string) (*gomail.Msg, error) {
	c := compose(ev, lang, m.BaseURL, scope, m.Scope)
	c.Sign = sign
	text, html, err := render(c, lang)
	if err != nil {
		return nil, err
	}
	msg := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	if err := msg.From(m.from); err != nil {
		return nil, fmt.Errorf("mail: sender: %w", err)
	}
	if err := msg.To(to); err != nil {
		return nil, fmt.Errorf("mail: the address is not valid")
	}
	msg.Subject(c.Subject)
	msg.SetDate()
	msg.SetMessageIDWithValue(d.ID + "@hailong")
	msg.SetBodyString(gomail.TypeTextPlain, text)
	msg.AddAlternativeString(gomail.TypeTextHTML, html)
	return msg, nil
}
