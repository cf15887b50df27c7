package admin

import (
	"io"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/hailong/hailong/internal/org"
	"github.com/hailong/hailong/internal/survey"
)

// The "Agency identity" section of /admin: the names the report is headed with, its number
// prefix and signer, the reporting cut-off, the sites that may embed the public results, and
// the emblem shown on every page.

// identityForm is what the section shows.
type identityForm struct {
	org.Identity
	RecipientsText string // one recipient a line
	OriginsText    string // one origin a line
	HasLogo        bool
	LogoURL        string
}

func identityFormOf(id org.Identity, logoURL string) identityForm {
	return identityForm{Identity: id, RecipientsText: strings.Join(id.Recipients, "\n"),
		OriginsText: strings.Join(id.FrameOrigins, "\n"), HasLogo: len(id.Logo) > 0, LogoURL: logoURL}
}

var errLogoUpload = survey.Errorf(survey.CodeInvalid, "error.logo_format")

// SaveIdentity handles POST /admin/identity (multipart, for the emblem): every field replaces
// the stored one; the emblem is replaced when a file is sent and removed when asked.
func (h *Handler) SaveIdentity(c *fiber.Ctx) error {
	get := func(k string) string { return strings.TrimSpace(c.FormValue(k)) }
	cur := h.Org.Identity.Get(c.UserContext())
	id := org.Identity{Name: get("name"), Parent: get("parent"), Place: get("place"), Hotline: get("hotline"),
		NumberPrefix: get("number_prefix"), SignerTitle: get("signer_title"), SignerName: get("signer_name"),
		Recipients: lines(get("recipients")), FrameOrigins: lines(get("frame_origins")),
		Logo: cur.Logo, LogoType: cur.LogoType, UpdatedAt: h.Now()}
	if s := get("cutoff_day"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			n = -1
		}
		id.CutoffDay = n
	}
	if get("remove_logo") != "" {
		id.Logo, id.LogoType = nil, ""
	}
	if err := h.readLogo(c, &id); err != nil {
		return h.adminFail(c, err)
	}
	if err := h.Org.Identity.Save(c.UserContext(), id); err != nil {
		return h.adminFail(c, err)
	}
	return h.adminDone(c, "identity.save", id.Name, id.Name)
}

// readLogo takes the uploaded emblem, if any, checked and (SVG) sanitised.
func (h *Handler) readLogo(c *fiber.Ctx, id *org.Identity) error {
	fh, err := c.FormFile("logo")
	if err != nil || fh.Size == 0 {
		return nil // no file chosen
	}
	if fh.Size > org.MaxLogoBytes {
		return survey.Errorf(survey.CodeInvalid, "error.logo_size")
	}
	f, err := fh.Open()
	if err != nil {
		return errLogoUpload
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, org.MaxLogoBytes+1))
	if err != nil {
		return errLogoUpload
	}
	if id.Logo, id.LogoType, err = org.CheckLogo(data); err != nil {
		return err
	}
	return nil
}

// lines splits text into its non-blank lines, trimmed.
func lines(text string) []string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// identitySection is the section's data for the page.
func (h *Handler) identitySection(c *fiber.Ctx) identityForm {
	return identityFormOf(h.Org.Identity.Get(c.UserContext()), h.PageFor(c, "").Agency.Logo)
}
