// Package admin serves administrators: the unit tree and counters, fields and targets, staff
// accounts, API keys, the audit trail and the kiosk tablets, as the /admin page and as JSON.
package admin

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"github.com/hailong/hailong/internal/account"
	"github.com/hailong/hailong/internal/cases"
	"github.com/hailong/hailong/internal/i18n"
	"github.com/hailong/hailong/internal/kiosk"
	"github.com/hailong/hailong/internal/org"
	"github.com/hailong/hailong/internal/stats"
	"github.com/hailong/hailong/internal/survey"
	"github.com/hailong/hailong/internal/web/signin"
	"github.com/hailong/hailong/internal/web/webkit"
)

// Handler serves the /admin page and its forms.
type Handler struct {
	webkit.Base
	Org        *org.Directory // read, and refreshed after each edit
	UnitStore  org.UnitStore  // where units and counters are saved
	FieldStore org.FieldStore // where fields are saved
	Users      account.UserStore
	Sessions   account.SessionStore // ended when an admin resets a password
	Keys       account.APIKeyStore
	Audit      webkit.Auditor
	Kiosk      *kiosk.Service
	Cases      *cases.Service // the follow-up rules
	Rollups    Rollups
}

// Rollups yields the rollup buckets of a period, in which the page finds agencies missing from
// the unit tree.
type Rollups interface {
	Wait(ctx context.Context, ps ...stats.Period) error
	Buckets(p stats.Period, fn func(b *stats.Bucket))
}

// unitNode is a unit with the units under it, for the indented tree.
type unitNode struct {
	org.Unit
	ParentName string
	Children   []unitNode
}

// adminData is what the administration page shows.
type adminData struct {
	webkit.PageData
	User          *account.User
	CSRF          string
	Notice        string // what was just saved, shown in the section NoticeIn
	NoticeIn      string
	Error         string // why a form was refused, shown in the section ErrorIn
	ErrorIn       string
	EditUnit      *org.Unit    // the unit whose form is filled in for editing, if any
	EditCounter   *org.Counter // the counter likewise
	EditField     *org.Field   // the field likewise
	Tree          []unitNode
	Units         []org.Unit
	Unplaced      []string
	Counters      []org.Counter
	CounterGroups []counterGroup // the counters by office, for the tablet pairing pick list
	Fields        []org.Field
	Groups        []string // target groups
	FieldGroups   []string // the satisfaction target groups a field can belong to
	Rules         []stats.TargetRule
	CaseRules     caseRules
	Users         []account.User
	Keys          []account.APIKey
	Scopes        []string
	Audit         []account.AuditEntry
	Secret        string
	SecretName    string
	Roles         []string
	MinPassword   int
	Kiosks        kioskAdmin
	Identity      identityForm
}

// Page handles GET /admin; after a save it says, in the section saved, what was saved.
func (h *Handler) Page(c *fiber.Ctx) error {
	d, err := h.adminData(c)
	if err != nil {
		return err
	}
	d.Notice, d.NoticeIn = savedNotice(webkit.Lang(c), c.Query("done"), c.Query("act"), c.Query("what"))
	h.fillEdit(c, d)
	return h.Render(c, "admin", d)
}

func (h *Handler) renderAdmin(c *fiber.Ctx, status int, errMsg string) error {
	d, err := h.adminData(c)
	if err != nil {
		return err
	}
	d.Error, d.ErrorIn = errMsg, formSection(c.Path())
	return h.Render(c.Status(status), "admin", d)
}

// doneIn names the section each audited action is saved from: its notice shows there.
var doneIn = map[string]string{
	"unit.save": "units", "counter.save": "counters", "field.save": "fields", "target.save": "targets",
	"cases.rules": "cases", "identity.save": "identity", "user.create": "users", "user.password": "users",
	"user.enable": "users", "user.disable": "users", "apikey.revoke": "keys", "kiosk.pair": "kiosks",
	"kiosk.revoke": "kiosks", "kiosk.free_on": "kiosks", "kiosk.free_off": "kiosks",
}

// savedNotice is the notice after action, naming what was saved, and the section it shows in.
// A link without a known action gets the general notice at the section named by done.
func savedNotice(l, done, action, what string) (notice, section string) {
	if sec, ok := doneIn[action]; ok {
		return fmt.Sprintf(i18n.T(l, "admin.done."+action), what), sec
	}
	if done == "" {
		return "", ""
	}
	return i18n.T(l, "admin.saved"), formSection("/admin/" + done)
}

// formSection is the /admin section whose form posts to path ("/admin/users/password" is
// in "users", "/admin/kiosks/pair" in "kiosks").
func formSection(path string) string {
	sec, _, _ := strings.Cut(strings.TrimPrefix(path, "/admin/"), "/")
	if !slices.Contains([]string{"identity", "units", "counters", "fields", "targets", "cases", "users", "keys", "kiosks"}, sec) {
		return ""
	}
	return sec
}

// fillEdit finds the unit, counter or field named in the query, whose form is then filled in.
func (h *Handler) fillEdit(c *fiber.Ctx, d *adminData) {
	if u, ok := h.Org.Tree.Unit(c.Query("unit")); ok && c.Query("unit") != "" {
		d.EditUnit = &u
	}
	for i, ct := range d.Counters {
		if ct.ID == c.Query("counter") {
			d.EditCounter = &d.Counters[i]
		}
	}
	for i, f := range d.Fields {
		if f.Code == c.Query("field") {
			d.EditField = &d.Fields[i]
		}
	}
}

func (h *Handler) adminData(c *fiber.Ctx) (*adminData, error) {
	ctx, l := c.UserContext(), webkit.Lang(c)
	d := &adminData{
		PageData: h.PageFor(c, i18n.T(l, "admin.title")), User: webkit.CurrentUser(c), CSRF: webkit.CSRFToken(c),
		Units: h.Org.Tree.Units(), Counters: h.Org.Tree.Counters(), Fields: h.Org.Fields.All(ctx),
		Scopes: account.Scopes, MinPassword: account.MinPasswordLength,
		Roles: account.Roles,
	}
	d.Tree = unitTree(d.Units)
	d.CounterGroups = counterGroups(d.Units, d.Counters)
	d.Identity = h.identitySection(c)
	d.Unplaced = h.unplacedAgencies()
	tt := h.Org.Targets.Table(ctx)
	d.Rules = sortedRules(tt.Rules)
	d.Groups = targetGroups(tt)
	d.FieldGroups = fieldGroups(tt)
	set, err := h.Cases.Store.Settings(ctx)
	if err != nil {
		return nil, err
	}
	d.CaseRules = caseRulesOf(set)
	if d.Users, err = h.Users.Users(ctx); err != nil {
		return nil, err
	}
	if d.Keys, err = h.Keys.APIKeys(ctx); err != nil {
		return nil, err
	}
	sort.Slice(d.Keys, func(i, j int) bool { return d.Keys[i].CreatedAt.After(d.Keys[j].CreatedAt) })
	if d.Audit, err = h.Audit.Store.Recent(ctx, 20); err != nil {
		return nil, err
	}
	if d.Kiosks, err = h.kioskSection(ctx); err != nil {
		return nil, err
	}
	return d, nil
}

// counterGroup is an office and its counters.
type counterGroup struct {
	Name     string
	Counters []org.Counter
}

// counterGroups lists the counters under their office's name, in the order of units.
func counterGroups(units []org.Unit, counters []org.Counter) []counterGroup {
	var out []counterGroup
	for _, u := range units {
		g := counterGroup{Name: u.Name}
		for _, ct := range counters {
			if ct.Agency == u.Code {
				g.Counters = append(g.Counters, ct)
			}
		}
		if len(g.Counters) > 0 {
			out = append(out, g)
		}
	}
	return out
}

// unitTree arranges units under their parents; a unit whose parent is unknown is a root.
func unitTree(units []org.Unit) []unitNode {
	byCode := map[string]org.Unit{}
	children := map[string][]org.Unit{}
	for _, u := range units {
		byCode[u.Code] = u
	}
	var roots []org.Unit
	for _, u := range units {
		if _, ok := byCode[u.Parent]; ok && u.Parent != u.Code {
			children[u.Parent] = append(children[u.Parent], u)
		} else {
			roots = append(roots, u)
		}
	}
	seen := map[string]bool{}
	var build func(us []org.Unit) []unitNode
	build = func(us []org.Unit) []unitNode {
		var out []unitNode
		for _, u := range us {
			if seen[u.Code] {
				continue
			}
			seen[u.Code] = true
			out = append(out, unitNode{Unit: u, ParentName: byCode[u.Parent].Name, Children: build(children[u.Code])})
		}
		return out
	}
	return build(roots)
}

// unplacedAgencies lists agency codes seen in the last year's rollups but not in the hierarchy.
func (h *Handler) unplacedAgencies() []string {
	today := h.Today()
	p, err := stats.ParsePeriod(today.AddDays(-365).String(), today.String())
	if err != nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if h.Rollups.Wait(ctx, p) != nil {
		return nil // the day buckets are still loading after a start: the list shows next time
	}
	found := map[string]bool{}
	h.Rollups.Buckets(p, func(b *stats.Bucket) {
		if _, ok := h.Org.Tree.Unit(b.Agency); !ok && b.Agency != "" {
			found[b.Agency] = true
		}
	})
	out := make([]string, 0, len(found))
	for a := range found {
		out = append(out, a)
	}
	sort.Strings(out)
	return out
}

func sortedRules(rules []stats.TargetRule) []stats.TargetRule {
	out := append([]stats.TargetRule(nil), rules...)
	sort.Slice(out, func(i, j int) bool {
		if out[i].Group != out[j].Group {
			return out[i].Group < out[j].Group
		}
		return out[i].FromYear < out[j].FromYear
	})
	return out
}

// fieldGroups are the target groups a field can belong to: not the follow-up or channel ones.
func fieldGroups(tt stats.TargetTable) []string {
	var out []string
	for _, g := range targetGroups(tt) {
		if !slices.Contains(stats.CaseGroups, g) && g != stats.GroupChannelOnline {
			out = append(out, g)
		}
	}
	return out
}

func targetGroups(tt stats.TargetTable) []string {
	gs := []string{stats.GroupLandConstructionInvestment, stats.GroupHealthEducation, stats.GroupOverall}
	for _, r := range tt.Rules {
		if !slices.Contains(gs, r.Group) {
			gs = append(gs, r.Group)
		}
	}
	return gs
}

// Admin form errors, shown on the page in the user's language.
var (
	codeRE        = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`) // unit, counter and field codes: no "/"
	errAdminCode  = survey.Errorf(survey.CodeInvalid, "error.admin_code")
	errAdminName  = survey.Errorf(survey.CodeInvalid, "error.admin_name")
	errCycle      = survey.Errorf(survey.CodeInvalid, "error.unit_cycle")
	errNoParent   = survey.Errorf(survey.CodeInvalid, "error.unit_no_parent")
	errNoAgency   = survey.Errorf(survey.CodeInvalid, "error.unit_no_agency")
	errGroup      = survey.Errorf(survey.CodeInvalid, "error.target_group")
	errTarget     = survey.Errorf(survey.CodeInvalid, "error.target_value")
	errPassword   = survey.Errorf(survey.CodeInvalid, "error.password_short", "min", strconv.Itoa(account.MinPasswordLength))
	errScopes     = survey.Errorf(survey.CodeInvalid, "error.scopes")
	errDisableYou = survey.Errorf(survey.CodeInvalid, "error.disable_self")
)

// adminDone audits action on target and goes back to the action's section, whose notice says
// what was saved: what, as the admin knows it (a name rather than a code).
func (h *Handler) adminDone(c *fiber.Ctx, action, target, what string) error {
	if err := h.Audit.Record(c, action, target); err != nil {
		return err
	}
	return savedRedirect(c, action, what)
}

func savedRedirect(c *fiber.Ctx, action, what string) error {
	section := doneIn[action]
	q := url.Values{"act": {action}, "what": {what}, "lang": {webkit.Lang(c)}}
	return c.Redirect("/admin?done="+section+"&"+q.Encode()+"#"+section, fiber.StatusSeeOther)
}

// adminFail re-renders the page with err's message when it is a user's mistake; other errors
// go to the error handler.
func (h *Handler) adminFail(c *fiber.Ctx, err error) error {
	var de *survey.Error
	if !errors.As(err, &de) || de.Code == survey.CodeUnavailable {
		return err
	}
	status := webkit.HTTPStatus(de.Code)
	if de.Code == survey.CodeInvalid {
		status = fiber.StatusUnprocessableEntity
	}
	return h.renderAdmin(c, status, de.Message.In(webkit.Lang(c)))
}

// adminForm reads the posted form, trimming every value.
func adminForm(c *fiber.Ctx) (func(string) string, map[string][]string, error) {
	v, err := webkit.FormValues(c)
	if err != nil {
		return nil, nil, err
	}
	return func(k string) string { return strings.TrimSpace(v.Get(k)) }, v, nil
}

func validName(n string) bool { return n != "" && utf8.RuneCountInString(n) <= 200 }

// SaveUnit handles POST /admin/units: create or update a unit, refusing a cycle.
func (h *Handler) SaveUnit(c *fiber.Ctx) error {
	get, _, err := adminForm(c)
	if err != nil {
		return err
	}
	u := org.Unit{Code: get("code"), Name: get("name"), Parent: get("parent")}
	if err := h.checkUnit(u); err != nil {
		return h.adminFail(c, err)
	}
	if err := h.UnitStore.SaveUnit(c.UserContext(), u); err != nil {
		return err
	}
	if err := h.Org.Tree.Refresh(c.UserContext()); err != nil {
		return err
	}
	return h.adminDone(c, "unit.save", u.Code, u.Name+" ("+u.Code+")")
}

// checkUnit validates u and refuses a parent that lies under u (or is u).
func (h *Handler) checkUnit(u org.Unit) error {
	switch {
	case !codeRE.MatchString(u.Code):
		return errAdminCode
	case !validName(u.Name):
		return errAdminName
	case u.Parent == "":
		return nil
	}
	if _, ok := h.Org.Tree.Unit(u.Parent); !ok {
		return errNoParent
	}
	if h.Org.Tree.Subtree(u.Code)[u.Parent] {
		return errCycle
	}
	return nil
}

// SaveCounter handles POST /admin/counters.
func (h *Handler) SaveCounter(c *fiber.Ctx) error {
	get, _, err := adminForm(c)
	if err != nil {
		return err
	}
	ct := org.Counter{Agency: get("agency"), Code: get("code"), Name: get("name")}
	ct.ID = org.CounterID(ct.Agency, ct.Code)
	if _, ok := h.Org.Tree.Unit(ct.Agency); !ok {
		return h.adminFail(c, errNoAgency)
	}
	if !codeRE.MatchString(ct.Code) {
		return h.adminFail(c, errAdminCode)
	}
	if !validName(ct.Name) {
		return h.adminFail(c, errAdminName)
	}
	if err := h.UnitStore.SaveCounter(c.UserContext(), ct); err != nil {
		return err
	}
	if err := h.Org.Tree.Refresh(c.UserContext()); err != nil {
		return err
	}
	return h.adminDone(c, "counter.save", ct.ID, ct.Name+" ("+h.unitName(ct.Agency)+")")
}

// SaveField handles POST /admin/fields: add a field or update the one with that code.
func (h *Handler) SaveField(c *fiber.Ctx) error {
	get, _, err := adminForm(c)
	if err != nil {
		return err
	}
	f := org.Field{Code: get("code"), Name: survey.Text{VI: get("name_vi"), EN: get("name_en")}, Group: get("group"), Active: get("active") != ""}
	switch {
	case !codeRE.MatchString(f.Code):
		return h.adminFail(c, errAdminCode)
	case !validName(f.Name.VI) || !validName(f.Name.EN):
		return h.adminFail(c, errAdminName)
	case !slices.Contains(fieldGroups(h.Org.Targets.Table(c.UserContext())), f.Group):
		return h.adminFail(c, errGroup)
	}
	ctx := c.UserContext()
	if err := h.FieldStore.SaveField(ctx, f); err != nil {
		return err
	}
	if err := h.Org.Fields.Reload(ctx); err != nil {
		return err
	}
	return h.adminDone(c, "field.save", f.Code, f.Name.In(webkit.Lang(c)))
}

// SaveTarget handles POST /admin/targets: add or replace the rule of a group and year.
func (h *Handler) SaveTarget(c *fiber.Ctx) error {
	get, _, err := adminForm(c)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	tt := h.Org.Targets.Table(ctx)
	group := get("group")
	if !slices.Contains(targetGroups(tt), group) {
		return h.adminFail(c, errGroup)
	}
	year, yerr := strconv.Atoi(get("from_year"))
	pct, perr := strconv.ParseFloat(strings.Replace(strings.TrimSuffix(get("target"), "%"), ",", ".", 1), 64)
	if yerr != nil || perr != nil || year < 2000 || year > 2100 || !(pct >= 0 && pct <= 100) {
		return h.adminFail(c, errTarget)
	}
	rule := stats.TargetRule{Group: group, FromYear: year, Target: pct / 100}
	rules := []stats.TargetRule{rule}
	for _, r := range tt.Rules {
		if r.Group != group || r.FromYear != year {
			rules = append(rules, r)
		}
	}
	tt.Rules = rules
	if err := tt.Validate(); err != nil {
		return h.adminFail(c, errTarget)
	}
	if err := h.Org.Targets.Save(ctx, tt); err != nil {
		return err
	}
	l := webkit.Lang(c)
	return h.adminDone(c, "target.save", group+" "+strconv.Itoa(year)+" "+stats.Percent(rule.Target),
		i18n.T(l, "tgroup."+group)+", "+strconv.Itoa(year)+": "+stats.Percent(rule.Target))
}

// CreateUser handles POST /admin/users.
func (h *Handler) CreateUser(c *fiber.Ctx) error {
	get, v, err := adminForm(c)
	if err != nil {
		return err
	}
	u := account.User{Name: strings.ToLower(get("name")), Role: get("role"), Agency: get("agency"), Counter: get("counter"), CreatedAt: h.Now().UTC()}
	password := v["password"]
	if len(password) != 1 {
		return h.adminFail(c, errPassword)
	}
	if err := u.CheckNew(password[0], h.agencyExists); err != nil {
		return h.adminFail(c, err)
	}
	if u.PasswordHash, err = account.Hash(password[0]); err != nil {
		return h.adminFail(c, errPassword)
	}
	if err := h.Users.CreateUser(c.UserContext(), u); err != nil {
		return h.adminFail(c, err)
	}
	return h.adminDone(c, "user.create", u.Name+" ("+u.Role+")", u.Name)
}

// unitName is the name of the unit with code, or the code when it has none.
func (h *Handler) unitName(code string) string {
	if u, ok := h.Org.Tree.Unit(code); ok && u.Name != "" {
		return u.Name
	}
	return code
}

func (h *Handler) agencyExists(code string) bool {
	_, ok := h.Org.Tree.Unit(code)
	return ok
}

// ResetPassword handles POST /admin/users/password: an admin sets a user's new password, which
// ends every session of theirs (but the admin's own, when resetting their own password).
func (h *Handler) ResetPassword(c *fiber.Ctx) error {
	get, v, err := adminForm(c)
	if err != nil {
		return err
	}
	u, err := h.Users.UserByName(c.UserContext(), get("name"))
	if err != nil {
		return h.adminFail(c, err)
	}
	keep := ""
	if u.Name == webkit.CurrentUser(c).Name {
		keep = c.Cookies(webkit.SessionCookie)
	}
	password := v["password"]
	if len(password) != 1 {
		return h.adminFail(c, errPassword)
	}
	if err := signin.SetPassword(c, h.Users, h.Sessions, u, password[0], keep); err != nil {
		return h.adminFail(c, err)
	}
	return h.adminDone(c, "user.password", u.Name, u.Name)
}

// ToggleUser handles POST /admin/users/toggle: disable or enable an account.
func (h *Handler) ToggleUser(c *fiber.Ctx) error {
	get, _, err := adminForm(c)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	u, err := h.Users.UserByName(ctx, get("name"))
	if err != nil {
		return h.adminFail(c, err)
	}
	if u.Name == webkit.CurrentUser(c).Name {
		return h.adminFail(c, errDisableYou)
	}
	u.Disabled = get("disabled") == "true"
	if err := h.Users.UpdateUser(ctx, *u); err != nil {
		return err
	}
	action := "user.enable"
	if u.Disabled {
		action = "user.disable"
	}
	return h.adminDone(c, action, u.Name, u.Name)
}

// CreateKey handles POST /admin/keys; the secret is shown on this response only.
func (h *Handler) CreateKey(c *fiber.Ctx) error {
	get, v, err := adminForm(c)
	if err != nil {
		return err
	}
	name := get("name")
	if !validName(name) {
		return h.adminFail(c, errAdminName)
	}
	var scopes []string
	for _, sc := range v["scope"] {
		if !slices.Contains(account.Scopes, sc) {
			return h.adminFail(c, errScopes)
		}
		if !slices.Contains(scopes, sc) {
			scopes = append(scopes, sc)
		}
	}
	if len(scopes) == 0 {
		return h.adminFail(c, errScopes)
	}
	secret, key, err := h.Keys.CreateAPIKey(c.UserContext(), name, scopes, h.Now())
	if err != nil {
		return err
	}
	if err := h.Audit.Record(c, "apikey.create", key.ID+" "+name); err != nil {
		return err
	}
	d, err := h.adminData(c)
	if err != nil {
		return err
	}
	d.Secret, d.SecretName = secret, name
	c.Set(fiber.HeaderReferrerPolicy, "no-referrer")
	return h.Render(c, "admin", d)
}

// RevokeKey handles POST /admin/keys/revoke.
func (h *Handler) RevokeKey(c *fiber.Ctx) error {
	get, _, err := adminForm(c)
	if err != nil {
		return err
	}
	id := get("id")
	if err := h.Keys.RevokeAPIKey(c.UserContext(), id); err != nil {
		return h.adminFail(c, err)
	}
	return h.adminDone(c, "apikey.revoke", id, id)
}
