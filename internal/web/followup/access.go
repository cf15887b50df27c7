// Package followup serves the staff side of follow-up cases: the JSON API the one-stop e-system
// and the provincial complaint system integrate through, and the /cases queue and case pages
// managers and admins work from, each limited to the caller's part of the organisation.
package followup

import (
	"github.com/gofiber/fiber/v2"

	"github.com/hailong/hailong/internal/account"
	"github.com/hailong/hailong/internal/cases"
	"github.com/hailong/hailong/internal/org"
	"github.com/hailong/hailong/internal/survey"
	"github.com/hailong/hailong/internal/web/webkit"
)

// caller is who acts on cases: a signed-in manager or admin, or an API key.
type caller struct {
	name     string          // what the timeline says did it
	user     *account.User   // nil for an API key
	agency   string          // the unit the caller is scoped to; "" for the whole organisation
	agencies map[string]bool // that unit's subtree; nil means all
}

// callerOf is the request's caller, as the guard admitted it.
func callerOf(c *fiber.Ctx, tree *org.Tree) (caller, error) {
	if webkit.APIKey(c) != nil {
		return caller{name: webkit.Actor(c)}, nil
	}
	u := webkit.CurrentUser(c)
	if u == nil {
		return caller{}, survey.ErrUnauthorized
	}
	if u.Role != account.RoleAdmin && u.Role != account.RoleManager {
		return caller{}, survey.ErrForbidden
	}
	cl := caller{name: u.Name, user: u}
	if u.Agency != "" {
		cl.agency, cl.agencies = u.Agency, tree.Subtree(u.Agency)
	}
	return cl, nil
}

// sees reports whether the caller may see c: it is in their part of the organisation, and they
// are not the officer whose service it is about (a rated officer must not learn who rated them).
func (cl caller) sees(c *cases.Case) bool {
	if cl.agencies != nil && !cl.agencies[c.Agency] {
		return false
	}
	return cl.user == nil || c.Officer == "" || c.Officer != cl.user.Name
}

// scopeFilter limits f to the caller's scope; asking for a unit outside it is forbidden.
func (cl caller) scopeFilter(f *cases.Filter, agency string, tree *org.Tree) error {
	if cl.user != nil {
		f.NotOfficer = cl.user.Name
	}
	agencies, ok := tree.Within(cl.agency, agency)
	if !ok {
		return survey.ErrForbidden
	}
	f.Agencies = agencies
	return nil
}
