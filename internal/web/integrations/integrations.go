// Package integrations serves what admins use to connect other systems and mailboxes: the
// webhook endpoints (registered, edited, their secrets rotated) and the log of every delivery
// with its resend, as the /admin/integrations page and as the /api/v1/webhooks and
// /api/v1/deliveries API (API key scope webhooks:manage, or an admin's session).
package integrations

import (
	"errors"
	"slices"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/hailong/hailong/internal/account"
	"github.com/hailong/hailong/internal/i18n"
	"github.com/hailong/hailong/internal/outbox"
	"github.com/hailong/hailong/internal/survey"
	"github.com/hailong/hailong/internal/web/webkit"
	"github.com/hailong/hailong/internal/webhook"
)

// Handler serves the integrations page and API.
type Handler struct {
	webkit.Base
	Webhooks *webhook.Service
	Outbox   *outbox.Outbox
	Audit    webkit.Auditor
	// MailFrom is the sender of e-mail, "" when e-mail is off (no HAILONG_SMTP_URL).
	MailFrom string
}

var (
	errNoDelivery = survey.Errorf(survey.CodeNotFound, "error.delivery_not_found")
	errBadStatus  = survey.Errorf(survey.CodeInvalid, "error.delivery_status")
)

// endpointView is an endpoint as the API shows it.
type endpointView struct {
	webhook.Endpoint
	Secret string `json:"secret,omitempty"` // only in the answer that made it
}

// ListWebhooks handles GET /api/v1/webhooks.
func (h *Handler) ListWebhooks(c *fiber.Ctx) error {
	es, err := h.Webhooks.Endpoints(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"webhooks": es})
}

// GetWebhook handles GET /api/v1/webhooks/:id.
func (h *Handler) GetWebhook(c *fiber.Ctx) error {
	e, err := h.Webhooks.Store.Endpoint(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(e)
}

// CreateWebhook handles POST /api/v1/webhooks: 201 with the endpoint and its signing secret,
// shown this once.
func (h *Handler) CreateWebhook(c *fiber.Ctx) error {
	var f webhook.Form
	if err := webkit.DecodeJSON(c.Body(), &f); err != nil {
		return err
	}
	e, secret, err := h.Webhooks.Register(c.UserContext(), f, webkit.Actor(c))
	if err != nil {
		return err
	}
	if err := h.Audit.Record(c, "webhook.create", e.ID+" "+e.URL); err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Status(fiber.StatusCreated).JSON(endpointView{Endpoint: *e, Secret: secret})
}

// UpdateWebhook handles PUT /api/v1/webhooks/:id.
func (h *Handler) UpdateWebhook(c *fiber.Ctx) error {
	var f webhook.Form
	if err := webkit.DecodeJSON(c.Body(), &f); err != nil {
		return err
	}
	e, err := h.Webhooks.Update(c.UserContext(), c.Params("id"), f)
	if err != nil {
		return err
	}
	if err := h.Audit.Record(c, "webhook.update", e.ID+" "+e.URL); err != nil {
		return err
	}
	return c.JSON(e)
}

// RotateWebhook handles POST /api/v1/webhooks/:id/rotate: a new secret, shown this once; the
// old one keeps signing beside it for a day.
func (h *Handler) RotateWebhook(c *fiber.Ctx) error {
	e, secret, err := h.Webhooks.Rotate(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	if err := h.Audit.Record(c, "webhook.rotate", e.ID); err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(endpointView{Endpoint: *e, Secret: secret})
}

// DeleteWebhook handles DELETE /api/v1/webhooks/:id.
func (h *Handler) DeleteWebhook(c *fiber.Ctx) error {
	id := c.Params("id")
	if err := h.Webhooks.Delete(c.UserContext(), id); err != nil {
		return err
	}
	if err := h.Audit.Record(c, "webhook.delete", id); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// filter reads the delivery log's query: status, event and limit.
func filter(c *fiber.Ctx) (outbox.Filter, error) {
	f := outbox.Filter{Status: c.Query("status"), Event: c.Query("event"), Limit: 100}
	if f.Status != "" && !slices.Contains(outbox.Statuses, f.Status) {
		return f, errBadStatus
	}
	if n, err := strconv.Atoi(c.Query("limit", "100")); err == nil && n > 0 && n <= 500 {
		f.Limit = n
	}
	return f, nil
}

// ListDeliveries handles GET /api/v1/deliveries: the newest deliveries, newest first.
func (h *Handler) ListDeliveries(c *fiber.Ctx) error {
	f, err := filter(c)
	if err != nil {
		return err
	}
	ds, err := h.Outbox.Store.Deliveries(c.UserContext(), f)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"deliveries": ds})
}

// ResendDelivery handles POST /api/v1/deliveries/:id/resend: the delivery is tried again now,
// with a day of retries from now.
func (h *Handler) ResendDelivery(c *fiber.Ctx) error {
	d, err := h.resend(c, c.Params("id"))
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusAccepted).JSON(d)
}

func (h *Handler) resend(c *fiber.Ctx, id string) (*outbox.Delivery, error) {
	err := h.Outbox.Resend(c.UserContext(), id)
	if errors.Is(err, outbox.ErrNotFound) {
		return nil, errNoDelivery
	}
	if err != nil {
		return nil, err
	}
	if err := h.Audit.Record(c, "delivery.resend", id); err != nil {
		return nil, err
	}
	return h.Outbox.Store.Delivery(c.UserContext(), id)
}

// pageData is what the integrations page shows.
type pageData struct {
	webkit.PageData
	User       *account.User
	CSRF       string
	Notice     string
	Error      string
	MailFrom   string
	Webhooks   []webhook.Endpoint
	Types      []string
	Deliveries []outbox.Delivery
	Status     string
	Statuses   []string
	Secret     string
	SecretFor  string
	Form       webhook.Form
}

// Page handles GET /admin/integrations.
func (h *Handler) Page(c *fiber.Ctx) error {
	notice := ""
	if k := c.Query("done"); k != "" && slices.Contains([]string{"created", "saved", "deleted", "resent", "rotated"}, k) {
		notice = i18n.T(webkit.Lang(c), "integrations.done."+k)
	}
	return h.render(c, fiber.StatusOK, notice, "", nil)
}

func (h *Handler) render(c *fiber.Ctx, status int, notice, errMsg string, fill func(*pageData)) error {
	l := webkit.Lang(c)
	d := pageData{PageData: h.PageFor(c, i18n.T(l, "integrations.title")), User: webkit.CurrentUser(c), CSRF: webkit.CSRFToken(c),
		Notice: notice, Error: errMsg, MailFrom: h.MailFrom, Types: outbox.WebhookTypes, Statuses: outbox.Statuses,
		Status: c.Query("status")}
	if !slices.Contains(outbox.Statuses, d.Status) {
		d.Status = ""
	}
	var err error
	if d.Webhooks, err = h.Webhooks.Endpoints(c.UserContext()); err != nil {
		return err
	}
	if d.Deliveries, err = h.Outbox.Store.Deliveries(c.UserContext(), outbox.Filter{Status: d.Status, Limit: 100}); err != nil {
		return err
	}
	if fill != nil {
		fill(&d)
	}
	c.Status(status)
	return h.Render(c, "integrations", d)
}

// fail shows the page again with err's message and the form as it was sent.
func (h *Handler) fail(c *fiber.Ctx, err error, f webhook.Form) error {
	status, body := h.Classify(c, err)
	if status >= 500 {
		return err
	}
	msg := body.Error.Message
	for _, fe := range body.Error.Fields {
		msg += " " + fe.Message
	}
	return h.render(c, status, "", msg, func(d *pageData) { d.Form = f })
}

// form reads the posted endpoint form.
func form(c *fiber.Ctx) (webhook.Form, map[string][]string, error) {
	v, err := webkit.FormValues(c)
	if err != nil {
		return webhook.Form{}, nil, err
	}
	active := v.Get("active") != "off"
	return webhook.Form{URL: strings.TrimSpace(v.Get("url")), Events: v["event"], Description: strings.TrimSpace(v.Get("description")), Active: &active}, v, nil
}

// Create handles POST /admin/webhooks: the page shows the new endpoint's secret once.
func (h *Handler) Create(c *fiber.Ctx) error {
	f, _, err := form(c)
	if err != nil {
		return err
	}
	e, secret, err := h.Webhooks.Register(c.UserContext(), f, webkit.Actor(c))
	if err != nil {
		return h.fail(c, err, f)
	}
	if err := h.Audit.Record(c, "webhook.create", e.ID+" "+e.URL); err != nil {
		return err
	}
	c.Set(fiber.HeaderReferrerPolicy, "no-referrer")
	return h.render(c, fiber.StatusOK, i18n.T(webkit.Lang(c), "integrations.done.created"), "", func(d *pageData) {
		d.Secret, d.SecretFor = secret, e.URL
	})
}

// Act handles POST /admin/webhooks/act: rotate, switch on or off, or delete an endpoint.
func (h *Handler) Act(c *fiber.Ctx) error {
	v, err := webkit.FormValues(c)
	if err != nil {
		return err
	}
	id, ctx, l := v.Get("id"), c.UserContext(), webkit.Lang(c)
	switch v.Get("do") {
	case "rotate":
		e, secret, err := h.Webhooks.Rotate(ctx, id)
		if err != nil {
			return h.fail(c, err, webhook.Form{})
		}
		if err := h.Audit.Record(c, "webhook.rotate", id); err != nil {
			return err
		}
		c.Set(fiber.HeaderReferrerPolicy, "no-referrer")
		return h.render(c, fiber.StatusOK, i18n.T(l, "integrations.done.rotated"), "", func(d *pageData) { d.Secret, d.SecretFor = secret, e.URL })
	case "on", "off":
		e, err := h.Webhooks.Store.Endpoint(ctx, id)
		if err != nil {
			return h.fail(c, err, webhook.Form{})
		}
		active := v.Get("do") == "on"
		if _, err := h.Webhooks.Update(ctx, id, webhook.Form{URL: e.URL, Events: e.Events, Description: e.Description, Active: &active}); err != nil {
			return h.fail(c, err, webhook.Form{})
		}
		if err := h.Audit.Record(c, "webhook.update", id+" active="+strconv.FormatBool(active)); err != nil {
			return err
		}
		return c.Redirect("/admin/integrations?done=saved&lang="+l, fiber.StatusSeeOther)
	case "delete":
		if err := h.Webhooks.Delete(ctx, id); err != nil {
			return h.fail(c, err, webhook.Form{})
		}
		if err := h.Audit.Record(c, "webhook.delete", id); err != nil {
			return err
		}
		return c.Redirect("/admin/integrations?done=deleted&lang="+l, fiber.StatusSeeOther)
	}
	return h.fail(c, survey.Errorf(survey.CodeInvalid, "error.bad_form"), webhook.Form{})
}

// Resend handles POST /admin/deliveries/resend.
func (h *Handler) Resend(c *fiber.Ctx) error {
	v, err := webkit.FormValues(c)
	if err != nil {
		return err
	}
	if _, err := h.resend(c, v.Get("id")); err != nil {
		return h.fail(c, err, webhook.Form{})
	}
	return c.Redirect("/admin/integrations?done=resent&lang="+webkit.Lang(c)+"#deliveries", fiber.StatusSeeOther)
}
