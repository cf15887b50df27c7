package web

import (
	"context"
	"errors"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"github.com/hailong/hailong/internal/auth"
	"github.com/hailong/hailong/internal/stats"
	"github.com/hailong/hailong/internal/survey"
)

// TargetStore keeps the editable satisfaction target table.
type TargetStore interface {
	Targets(ctx context.Context) (stats.TargetTable, error)
	SaveTargets(ctx context.Context, tt stats.TargetTable) error
}

// adminRoutes registers the administration page and its forms (admins only).
func (s *Server) adminRoutes(app *fiber.App) {
	adm := app.Group("/admin", s.requireSession(survey.RoleAdmin), s.csrf)
	adm.Get("/", s.adminPage)
	adm.Post("/units", s.adminSaveUnit)
	adm.Post("/counters", s.adminSaveCounter)
	adm.Post("/fields", s.adminSaveField)
	adm.Post("/targets", s.adminSaveTarget)
	adm.Post("/users", s.adminCreateUser)
	adm.Post("/users/toggle", s.adminToggleUser)
	adm.Post("/keys", s.adminCreateKey)
	adm.Post("/keys/revoke", s.adminRevokeKey)
	adm.Post("/kiosks/pair", s.adminPairKiosk)
	adm.Post("/kiosks/revoke", s.adminRevokeKiosk)
}

// targetTable is the target table in force: the stored one, or Deps.Targets without a store or
// when the store does not answer.
func (s *Server) targetTable(ctx context.Context) stats.TargetTable {
	if s.TargetStore == nil {
		return s.Targets
	}
	tt, err := s.TargetStore.Targets(ctx)
	if err != nil {
		s.Log.Warn("load targets", "err", err)
		return s.Targets
	}
	return tt
}

// unitNode is a unit with the units under it, for the indented tree.
type unitNode struct {
	survey.Unit
	ParentName string
	Children   []unitNode
}

// adminData is what the administration page shows.
type adminData struct {
	pageData
	User        *survey.User
	CSRF        string
	Notice      string
	Error       string
	Tree        []unitNode
	Units       []survey.Unit
	Unplaced    []string
	Counters    []survey.Counter
	Fields      []survey.Field
	Groups      []string
	Rules       []stats.TargetRule
	Users       []survey.User
	Keys        []survey.APIKey
	Scopes      []string
	Audit       []survey.AuditEntry
	Secret      string
	SecretName  string
	Roles       []string
	MinPassword int
	Kiosks      kioskAdmin
}

// adminPage handles GET /admin.
func (s *Server) adminPage(c *fiber.Ctx) error {
	notice := ""
	if c.Query("done") != "" {
		notice = s.pages.t(lang(c), "admin.saved")
	}
	return s.renderAdmin(c, fiber.StatusOK, notice, "")
}

func (s *Server) renderAdmin(c *fiber.Ctx, status int, notice, errMsg string) error {
	d, err := s.adminData(c)
	if err != nil {
		return err
	}
	d.Notice, d.Error = notice, errMsg
	return s.render(c.Status(status), "admin", d)
}

func (s *Server) adminData(c *fiber.Ctx) (*adminData, error) {
	ctx, l := c.UserContext(), lang(c)
	d := &adminData{
		pageData: s.page(c, s.pages.t(l, "admin.title")), User: currentUser(c), CSRF: csrfToken(c),
		Units: s.Org.Units(), Counters: s.Org.Counters(), Fields: s.Fields.All(ctx),
		Scopes: []string{survey.ScopeTicketsWrite, survey.ScopeStatsRead}, MinPassword: auth.MinPasswordLength,
		Roles: []string{survey.RoleAdmin, survey.RoleManager, survey.RoleViewer, survey.RoleOfficer},
	}
	d.Tree = unitTree(d.Units)
	d.Unplaced = s.unplacedAgencies()
	tt := s.targetTable(ctx)
	d.Rules = sortedRules(tt.Rules)
	d.Groups = targetGroups(tt)
	var err error
	if d.Users, err = s.Users.Users(ctx); err != nil {
		return nil, err
	}
	if d.Keys, err = s.APIKeys.APIKeys(ctx); err != nil {
		return nil, err
	}
	sort.Slice(d.Keys, func(i, j int) bool { return d.Keys[i].CreatedAt.After(d.Keys[j].CreatedAt) })
	if d.Audit, err = s.Audit.Recent(ctx, 20); err != nil {
		return nil, err
	}
	if d.Kiosks, err = s.kioskAdmin(ctx); err != nil {
		return nil, err
	}
	return d, nil
}

// unitTree arranges units under their parents; a unit whose parent is unknown is a root.
func unitTree(units []survey.Unit) []unitNode {
	byCode := map[string]survey.Unit{}
	children := map[string][]survey.Unit{}
	for _, u := range units {
		byCode[u.Code] = u
	}
	var roots []survey.Unit
	for _, u := range units {
		if _, ok := byCode[u.Parent]; ok && u.Parent != u.Code {
			children[u.Parent] = append(children[u.Parent], u)
		} else {
			roots = append(roots, u)
		}
	}
	seen := map[string]bool{}
	var build func(us []survey.Unit) []unitNode
	build = func(us []survey.Unit) []unitNode {
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
func (s *Server) unplacedAgencies() []string {
	if s.Rollups == nil {
		return nil
	}
	today := stats.Today()
	p, err := stats.ParsePeriod(today.AddDays(-365).String(), today.String())
	if err != nil {
		return nil
	}
	found := map[string]bool{}
	s.Rollups.Buckets(p, func(b *stats.Bucket) {
		if _, ok := s.Org.Unit(b.Agency); !ok && b.Agency != "" {
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
	codeRE        = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)
	errAdminCode  = survey.Errorf(survey.CodeInvalid, "Mã gồm 1–64 ký tự: chữ không dấu, chữ số, dấu chấm, gạch ngang hoặc gạch dưới.", "A code has 1–64 characters: letters a–z, digits, dots, dashes or underscores.")
	errAdminName  = survey.Errorf(survey.CodeInvalid, "Vui lòng nhập tên (tối đa 200 ký tự).", "Please enter a name (at most 200 characters).")
	errCycle      = survey.Errorf(survey.CodeInvalid, "Không thể chọn đơn vị cấp trên này: cơ cấu sẽ bị vòng lặp.", "That parent would make the hierarchy loop back on itself.")
	errNoParent   = survey.Errorf(survey.CodeInvalid, "Đơn vị cấp trên không tồn tại.", "The parent unit does not exist.")
	errNoAgency   = survey.Errorf(survey.CodeInvalid, "Vui lòng chọn một đơn vị có trong cơ cấu.", "Please choose a unit of the hierarchy.")
	errGroup      = survey.Errorf(survey.CodeInvalid, "Nhóm chỉ tiêu không hợp lệ.", "Unknown target group.")
	errTarget     = survey.Errorf(survey.CodeInvalid, "Chỉ tiêu phải là phần trăm từ 0 đến 100 (ví dụ 85 hoặc 87,5); năm áp dụng từ 2000 đến 2100.", "The target must be a percentage from 0 to 100 (e.g. 85 or 87.5); the year from 2000 to 2100.")
	errPassword   = survey.Errorf(survey.CodeInvalid, "Mật khẩu cần ít nhất "+strconv.Itoa(auth.MinPasswordLength)+" ký tự.", "The password needs at least "+strconv.Itoa(auth.MinPasswordLength)+" characters.")
	errCounter    = survey.Errorf(survey.CodeInvalid, "Cán bộ một cửa cần có đơn vị và quầy.", "An officer needs a unit and a counter.")
	errScopes     = survey.Errorf(survey.CodeInvalid, "Vui lòng chọn ít nhất một quyền hợp lệ.", "Please tick at least one valid scope.")
	errDisableYou = survey.Errorf(survey.CodeInvalid, "Bạn không thể tự khóa tài khoản của mình.", "You cannot disable your own account.")
)

// adminDone audits action on target and goes back to section with a success notice.
func (s *Server) adminDone(c *fiber.Ctx, action, target, section string) error {
	if err := s.audit(c, action, target); err != nil {
		return err
	}
	return c.Redirect("/admin?done="+section+"#"+section, fiber.StatusSeeOther)
}

func (s *Server) audit(c *fiber.Ctx, action, target string) error {
	e := survey.AuditEntry{At: s.Now().UTC(), User: currentUser(c).Name, Action: action, Target: target}
	return s.Audit.Record(c.UserContext(), e)
}

// adminFail re-renders the page with err's message when it is a user's mistake; other errors
// go to the error handler.
func (s *Server) adminFail(c *fiber.Ctx, err error) error {
	var de *survey.Error
	if !errors.As(err, &de) || de.Code == survey.CodeUnavailable {
		return err
	}
	status := httpStatus(de.Code)
	if de.Code == survey.CodeInvalid {
		status = fiber.StatusUnprocessableEntity
	}
	return s.renderAdmin(c, status, "", de.Message.In(lang(c)))
}

// adminForm reads the posted form, trimming every value.
func adminForm(c *fiber.Ctx) (func(string) string, map[string][]string, error) {
	v, err := formValues(c)
	if err != nil {
		return nil, nil, err
	}
	return func(k string) string { return strings.TrimSpace(v.Get(k)) }, v, nil
}

func validName(n string) bool { return n != "" && utf8.RuneCountInString(n) <= 200 }

// adminSaveUnit handles POST /admin/units: create or update a unit, refusing a cycle.
func (s *Server) adminSaveUnit(c *fiber.Ctx) error {
	get, _, err := adminForm(c)
	if err != nil {
		return err
	}
	u := survey.Unit{Code: get("code"), Name: get("name"), Parent: get("parent")}
	if err := s.checkUnit(u); err != nil {
		return s.adminFail(c, err)
	}
	if err := s.Units.SaveUnit(c.UserContext(), u); err != nil {
		return err
	}
	if err := s.Org.Refresh(c.UserContext()); err != nil {
		return err
	}
	return s.adminDone(c, "unit.save", u.Code, "units")
}

// checkUnit validates u and refuses a parent that lies under u (or is u).
func (s *Server) checkUnit(u survey.Unit) error {
	switch {
	case !codeRE.MatchString(u.Code):
		return errAdminCode
	case !validName(u.Name):
		return errAdminName
	case u.Parent == "":
		return nil
	}
	if _, ok := s.Org.Unit(u.Parent); !ok {
		return errNoParent
	}
	if s.Org.Subtree(u.Code)[u.Parent] {
		return errCycle
	}
	return nil
}

// adminSaveCounter handles POST /admin/counters.
func (s *Server) adminSaveCounter(c *fiber.Ctx) error {
	get, _, err := adminForm(c)
	if err != nil {
		return err
	}
	ct := survey.Counter{Agency: get("agency"), Code: get("code"), Name: get("name")}
	ct.ID = survey.CounterID(ct.Agency, ct.Code)
	if _, ok := s.Org.Unit(ct.Agency); !ok {
		return s.adminFail(c, errNoAgency)
	}
	if !codeRE.MatchString(ct.Code) {
		return s.adminFail(c, errAdminCode)
	}
	if !validName(ct.Name) {
		return s.adminFail(c, errAdminName)
	}
	if err := s.Units.SaveCounter(c.UserContext(), ct); err != nil {
		return err
	}
	if err := s.Org.Refresh(c.UserContext()); err != nil {
		return err
	}
	return s.adminDone(c, "counter.save", ct.ID, "counters")
}

// adminSaveField handles POST /admin/fields: add a field or update the one with that code.
func (s *Server) adminSaveField(c *fiber.Ctx) error {
	get, _, err := adminForm(c)
	if err != nil {
		return err
	}
	f := survey.Field{Code: get("code"), Name: survey.Text{VI: get("name_vi"), EN: get("name_en")}, Group: get("group"), Active: get("active") != ""}
	switch {
	case !codeRE.MatchString(f.Code):
		return s.adminFail(c, errAdminCode)
	case !validName(f.Name.VI) || !validName(f.Name.EN):
		return s.adminFail(c, errAdminName)
	case !slices.Contains(targetGroups(s.targetTable(c.UserContext())), f.Group):
		return s.adminFail(c, errGroup)
	}
	ctx := c.UserContext()
	if err := s.FieldStore.SaveField(ctx, f); err != nil {
		return err
	}
	if err := s.Fields.reload(ctx); err != nil {
		return err
	}
	return s.adminDone(c, "field.save", f.Code, "fields")
}

// adminSaveTarget handles POST /admin/targets: add or replace the rule of a group and year.
func (s *Server) adminSaveTarget(c *fiber.Ctx) error {
	get, _, err := adminForm(c)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	tt := s.targetTable(ctx)
	group := get("group")
	if !slices.Contains(targetGroups(tt), group) {
		return s.adminFail(c, errGroup)
	}
	year, yerr := strconv.Atoi(get("from_year"))
	pct, perr := strconv.ParseFloat(strings.Replace(strings.TrimSuffix(get("target"), "%"), ",", ".", 1), 64)
	if yerr != nil || perr != nil || year < 2000 || year > 2100 || !(pct >= 0 && pct <= 100) {
		return s.adminFail(c, errTarget)
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
		return s.adminFail(c, errTarget)
	}
	if s.TargetStore == nil {
		return survey.Wrap(errors.New("web: no target store"))
	}
	if err := s.TargetStore.SaveTargets(ctx, tt); err != nil {
		return err
	}
	return s.adminDone(c, "target.save", group+" "+strconv.Itoa(year)+" "+stats.Percent(rule.Target), "targets")
}

// adminCreateUser handles POST /admin/users.
func (s *Server) adminCreateUser(c *fiber.Ctx) error {
	get, v, err := adminForm(c)
	if err != nil {
		return err
	}
	u := survey.User{Name: strings.ToLower(get("name")), Role: get("role"), Agency: get("agency"), Counter: get("counter"), CreatedAt: s.Now().UTC()}
	if err := u.Validate(); err != nil {
		return s.adminFail(c, err)
	}
	if _, ok := s.Org.Unit(u.Agency); u.Agency != "" && !ok {
		return s.adminFail(c, errNoAgency)
	}
	if u.Role != survey.RoleOfficer {
		u.Counter = ""
	} else if u.Agency == "" || u.Counter == "" {
		return s.adminFail(c, errCounter)
	}
	password := v["password"]
	if len(password) != 1 || utf8.RuneCountInString(password[0]) < auth.MinPasswordLength {
		return s.adminFail(c, errPassword)
	}
	if u.PasswordHash, err = auth.Hash(password[0]); err != nil {
		return s.adminFail(c, errPassword)
	}
	if err := s.Users.CreateUser(c.UserContext(), u); err != nil {
		return s.adminFail(c, err)
	}
	return s.adminDone(c, "user.create", u.Name+" ("+u.Role+")", "users")
}

// adminToggleUser handles POST /admin/users/toggle: disable or enable an account.
func (s *Server) adminToggleUser(c *fiber.Ctx) error {
	get, _, err := adminForm(c)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	u, err := s.Users.UserByName(ctx, get("name"))
	if err != nil {
		return s.adminFail(c, err)
	}
	if u.Name == currentUser(c).Name {
		return s.adminFail(c, errDisableYou)
	}
	u.Disabled = get("disabled") == "true"
	if err := s.Users.UpdateUser(ctx, *u); err != nil {
		return err
	}
	action := "user.enable"
	if u.Disabled {
		action = "user.disable"
	}
	return s.adminDone(c, action, u.Name, "users")
}

// adminCreateKey handles POST /admin/keys; the secret is shown on this response only.
func (s *Server) adminCreateKey(c *fiber.Ctx) error {
	get, v, err := adminForm(c)
	if err != nil {
		return err
	}
	name := get("name")
	if !validName(name) {
		return s.adminFail(c, errAdminName)
	}
	var scopes []string
	for _, sc := range v["scope"] {
		if !slices.Contains([]string{survey.ScopeTicketsWrite, survey.ScopeStatsRead}, sc) {
			return s.adminFail(c, errScopes)
		}
		if !slices.Contains(scopes, sc) {
			scopes = append(scopes, sc)
		}
	}
	if len(scopes) == 0 {
		return s.adminFail(c, errScopes)
	}
	secret, key, err := s.APIKeys.CreateAPIKey(c.UserContext(), name, scopes)
	if err != nil {
		return err
	}
	if err := s.audit(c, "apikey.create", key.ID+" "+name); err != nil {
		return err
	}
	d, err := s.adminData(c)
	if err != nil {
		return err
	}
	d.Secret, d.SecretName = secret, name
	c.Set(fiber.HeaderReferrerPolicy, "no-referrer")
	return s.render(c, "admin", d)
}

// adminRevokeKey handles POST /admin/keys/revoke.
func (s *Server) adminRevokeKey(c *fiber.Ctx) error {
	get, _, err := adminForm(c)
	if err != nil {
		return err
	}
	id := get("id")
	if err := s.APIKeys.RevokeAPIKey(c.UserContext(), id); err != nil {
		return s.adminFail(c, err)
	}
	return s.adminDone(c, "apikey.revoke", id, "keys")
}
