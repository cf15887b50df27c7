package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"io"
	"log/slog"
	mrand "math/rand/v2"
	"slices"
	"time"

	"github.com/hailong/hailong/internal/app"
	"github.com/hailong/hailong/internal/config"
	"github.com/hailong/hailong/internal/mongodb"
	"github.com/hailong/hailong/internal/org"
	"github.com/hailong/hailong/internal/stats"
	"github.com/hailong/hailong/internal/survey"
)

// demo loads a year of realistic demo data into the store (once) and runs the server, printing
// the sign-in details and a few live survey URLs.
func demo(ctx context.Context, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, err := config.Load(getenv)
	if err != nil {
		return err
	}
	password := cfg.AdminPassword
	if password == "" {
		password = randomPassword()
	}
	env := func(k string) string {
		if k == "HAILONG_ADMIN_PASSWORD" {
			return password
		}
		return getenv(k)
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	db, done, err := app.OpenStore(ctx, cfg, log, false)
	if err != nil {
		return err
	}
	urls, created, err := loadDemo(ctx, db, cfg, password)
	done()
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "\nHài Lòng demo: %s/dashboard\n", cfg.BaseURL)
	if created {
		fmt.Fprintf(stdout, "  sign in as admin with password: %s\n", password)
	} else {
		fmt.Fprintf(stdout, "  the data directory %s already has its users: sign in as admin with the password\n"+
			"  printed by the first demo run there (it is kept; to start over, stop the server and\n"+
			"  delete %s)\n", cfg.DataDir, cfg.DataDir)
	}
	fmt.Fprintf(stdout, "  survey pages for today's dossiers:\n")
	for _, u := range urls {
		fmt.Fprintln(stdout, "   ", u)
	}
	fmt.Fprintf(stdout, "  or type a short code at %s/s\n\n", cfg.BaseURL)
	return serve(ctx, env, stderr)
}

func randomPassword() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// demoAgencies is a town with its one-stop centre, wards and a commune.
var demoAgencies = []org.Unit{
	{Code: "000.00.00.H48", Name: "UBND thị xã An Hòa (demo)"},
	{Code: "000.00.53.H48", Name: "Trung tâm Phục vụ hành chính công", Parent: "000.00.00.H48"},
	{Code: "000.01.53.H48", Name: "UBND phường Bình Minh", Parent: "000.00.00.H48"},
	{Code: "000.02.53.H48", Name: "UBND phường Tân An", Parent: "000.00.00.H48"},
	{Code: "000.03.53.H48", Name: "UBND xã Hòa Lạc", Parent: "000.00.00.H48"},
}

// demoQuality is each field's chance of a satisfied rating: some fields clearly below target.
var demoQuality = map[string]float64{
	"land": 0.74, "construction": 0.80, "investment": 0.88, "civil-status": 0.95, "certification": 0.96,
	"household-business": 0.91, "social-protection": 0.93, "justice": 0.90, "education": 0.87,
	"health": 0.82, "environment": 0.89, "planning": 0.84,
}

var demoComments = []struct {
	good bool
	text string
}{
	{false, "Phải đi lại nhiều lần vì hướng dẫn chưa đầy đủ."},
	{false, "Chờ rất lâu, không có ghế ngồi."},
	{false, "Trả kết quả trễ hẹn mà không báo trước."},
	{false, "Yêu cầu nộp thêm giấy tờ không có trong quy định."},
	{true, "Cán bộ hướng dẫn tận tình, chu đáo."},
	{true, "Thủ tục nhanh gọn, đúng hẹn."},
	{true, "Nơi chờ sạch sẽ, có máy lấy số thứ tự."},
}

// demoIdentity heads the demo's pages and reports as a town's centre would be set up in /admin.
var demoIdentity = org.Identity{
	Name: "Trung tâm Phục vụ hành chính công", Parent: "UBND thị xã Hương Trà", Place: "Hương Trà",
	Hotline: "0234 3 000 000", NumberPrefix: "TTPVHCC", SignerTitle: "Giám đốc", SignerName: "Nguyễn Văn An",
	Recipients: []string{"Phòng Nội vụ thị xã", "UBND thị xã (để báo cáo)"},
}

// loadDemo writes the demo year once (marked in settings) and issues a few live tickets.
// created reports whether the admin was created with password now: on a data directory that
// already has users, the password set there before stands, and a demo never resets it.
func loadDemo(ctx context.Context, db *mongodb.DB, cfg *config.Config, password string) (urls []string, created bool, err error) {
	if err := db.EnsureSchema(ctx); err != nil {
		return nil, false, err
	}
	if created, err = mongodb.EnsureAdmin(ctx, mongodb.NewUserStore(db), password); err != nil {
		return nil, false, err
	}
	fresh, err := db.ClaimOnce(ctx, "demo_loaded")
	if err != nil {
		return nil, false, err
	}
	if fresh {
		if err := writeDemoYear(ctx, db); err != nil {
			return nil, false, err
		}
	}
	urls, err = liveTickets(ctx, db, cfg)
	return urls, created, err
}

// writeDemoYear writes a year of tickets, responses and their rollups in batches.
func writeDemoYear(ctx context.Context, db *mongodb.DB) error {
	units := mongodb.NewUnitStore(db)
	for _, u := range demoAgencies {
		if err := units.SaveUnit(ctx, u); err != nil {
			return err
		}
	}
	if err := mongodb.NewIdentityStore(db).SaveIdentity(ctx, demoIdentity); err != nil {
		return err
	}
	rng := mrand.New(mrand.NewPCG(2026, 11))
	end := time.Now().UTC()
	start := end.AddDate(-1, 0, 0)
	var tickets, responses []any
	roll := stats.Buckets{}
	var comments []stats.Comment
	n := 0
	for day := start; day.Before(end); day = day.Add(24 * time.Hour) {
		if wd := day.Weekday(); wd == time.Saturday || wd == time.Sunday {
			continue
		}
		for _, ag := range demoAgencies[1:] {
			for c := 1; c <= 2; c++ {
				counter := fmt.Sprintf("Q%d", c)
				for range 3 + rng.IntN(4) {
					n++
					t, r := demoDossier(rng, day, ag.Code, counter, n)
					tickets = append(tickets, t)
					roll.Add(stats.TicketBucket(t), stats.TicketCounts(t))
					if r != nil {
						responses = append(responses, r)
						roll.Add(stats.ResponseBucket(r), stats.ResponseCounts(r))
						if r.Comment != "" {
							comments = append(comments, stats.Comment{At: r.SubmittedAt, Field: r.Field, Agency: r.Agency, Counter: r.Counter, Overall: r.Overall, Text: r.Comment})
						}
					}
				}
			}
		}
	}
	for _, ag := range demoAgencies[1:] {
		for _, c := range []string{"1", "2"} {
			_ = units.SaveCounter(ctx, org.Counter{Agency: ag.Code, Code: "Q" + c, Name: ag.Name + " – Quầy " + c})
		}
	}
	if err := db.LoadDemo(ctx, tickets, responses, roll, comments); err != nil {
		return err
	}
	procedures := mongodb.NewProcedureStore(db)
	for _, procs := range demoProcedures {
		for _, p := range procs {
			if err := procedures.SaveProcedureName(ctx, p.code, p.name); err != nil {
				return err
			}
		}
	}
	return demoCases(ctx, db, rng, responses, end)
}

// demoProcedures are a few procedures of the national catalogue per field, so figures by
// procedure have something to show.
var demoProcedures = map[string][]struct{ code, name string }{
	"land": {
		{"1.001612.000.00.00.H48", "Đăng ký, cấp Giấy chứng nhận quyền sử dụng đất lần đầu"},
		{"1.004227.000.00.00.H48", "Đăng ký biến động quyền sử dụng đất"},
	},
	"civil-status": {
		{"1.001193.000.00.00.H48", "Thủ tục đăng ký khai sinh"},
		{"1.000894.000.00.00.H48", "Thủ tục đăng ký kết hôn"},
	},
	"certification":      {{"2.000815.000.00.00.H48", "Chứng thực bản sao từ bản chính"}},
	"construction":       {{"1.009994.000.00.00.H48", "Cấp giấy phép xây dựng nhà ở riêng lẻ"}},
	"household-business": {{"2.000720.000.00.00.H48", "Đăng ký thành lập hộ kinh doanh"}},
}

// demoItems are the rating items of each criterion in the counter's and the online survey.
var demoItems = map[bool]map[string]int{ // online → criterion → items
	false: {"access": 3, "procedure": 2, "staff": 3, "result": 2, "feedback": 1},
	true:  {"access": 1, "procedure": 2, "staff": 1, "result": 1, "feedback": 1},
}

var demoChips = []string{"waiting", "attitude", "guidance", "documents", "fees", "late", "payment", "other"}

// demoDossier makes one completed dossier and, about seven times in ten, its response: one in
// five is handled online and asked the online survey; a third of the others are rated on the
// kiosk, which asks no criterion items, only reason chips for a low rating (not always chosen).
func demoDossier(rng *mrand.Rand, day time.Time, agency, counter string, n int) (*survey.Ticket, *survey.Response) {
	fields := org.DefaultFields()
	f := fields[rng.IntN(len(fields))].Code
	at := day.Add(time.Duration(1+rng.IntN(8)) * time.Hour)
	onTime := rng.Float64() > 0.06
	online := rng.Float64() < 0.2
	t := &survey.Ticket{
		Token: survey.NewTicketToken(at), ShortCode: survey.NewShortCode(), Nonce: survey.NewToken(),
		DossierCode: fmt.Sprintf("%s-%s-%04d", agency, at.Format("060102"), n%10000), Field: f,
		Agency: agency, Counter: counter, Officer: agency[4:6] + "-" + counter, Delivery: survey.DeliveryDirect,
		CompletedAt: at, OnTime: &onTime, SurveyID: "sipas-full", IssuedAt: at, ExpiresAt: at.Add(30 * 24 * time.Hour),
	}
	t.IssuedBy = survey.IssuedByAPI
	if n%13 == 0 { // some dossiers are completed on /counter, by the officer's hand
		t.IssuedBy = survey.IssuedByCounter
	}
	if procs := demoProcedures[f]; len(procs) > 0 {
		p := procs[rng.IntN(len(procs))]
		t.ProcedureCode, t.ProcedureName = p.code, p.name
	}
	if online {
		t.Delivery, t.SurveyID = survey.DeliveryOnline, "sipas-online"
	}
	if rng.Float64() > 0.7 {
		return t, nil
	}
	quality := demoQuality[f]
	if online {
		quality -= 0.08 // online services lag the counter, as the plan's lower target expects
	}
	overall := demoRating(rng, quality)
	src := survey.ChannelFor(t, !online && rng.Float64() < 0.35)
	r := &survey.Response{
		Token: t.Token, Nonce: survey.NewToken(), SurveyID: t.SurveyID, SurveyVersion: 1, Overall: overall,
		Answers: map[string]any{}, DossierCode: t.DossierCode, Field: f, Agency: agency, Counter: counter,
		Officer: t.Officer, Channel: src, OnTime: &onTime, SubmittedAt: at.Add(time.Duration(5+rng.IntN(120)) * time.Minute),
		Misuse: rng.Float64() < 0.005, ProcedureCode: t.ProcedureCode, IssuedBy: t.IssuedBy,
	}
	// At one counter the officer answers the satisfied ones of their hand-issued tickets from
	// their own browser, for the dashboard's hand-issued table to show.
	r.SameClient = t.IssuedBy == survey.IssuedByCounter && agency == demoAgencies[2].Code && counter == "Q2" && overall >= 4 && src != survey.ChannelKiosk
	if src == survey.ChannelKiosk {
		r.SurveyID = "kiosk-quick"
		demoKiosk(rng, r)
		return t, r
	}
	demoCriteria(rng, r, online, quality)
	if pick := demoComments[rng.IntN(len(demoComments))]; rng.Float64() < 0.15 && pick.good == (overall >= 4) {
		r.Comment = pick.text
	}
	if x := rng.Float64(); x < 0.85 { // most answer the return-trips question
		r.Returns = "0"
		if y := rng.Float64(); y > quality+0.05 {
			r.Returns = "2+"
		} else if y > quality-0.15 {
			r.Returns = "1"
		}
		r.Answers[survey.QuestionReturns] = r.Returns
	}
	switch x := rng.Float64(); { // a few report an unofficial payment or ask to be contacted
	case x < 0.012:
		r.ExtraPayment, r.Answers[survey.QuestionExtraPayment] = true, true
	case x < 0.03:
		r.Contact, r.Answers[survey.QuestionContact] = true, true
	}
	return t, r
}

// demoCriteria answers some items of each criterion (several for most), skipping a criterion
// now and then as "Không áp dụng".
func demoCriteria(rng *mrand.Rand, r *survey.Response, online bool, quality float64) {
	for _, c := range survey.Criteria {
		if rng.Float64() < 0.12 {
			continue
		}
		for range 1 + rng.IntN(demoItems[online][c]) {
			r.Criteria = append(r.Criteria, survey.CriterionRating{Criterion: c, Rating: demoRating(rng, quality+0.02)})
		}
	}
}

// demoKiosk picks reason chips for a low kiosk rating, two times in three.
func demoKiosk(rng *mrand.Rand, r *survey.Response) {
	if r.Overall > 2 || rng.Float64() < 0.33 {
		return
	}
	for range 1 + rng.IntN(2) {
		chip := demoChips[rng.IntN(len(demoChips))]
		if !slices.Contains(r.Reasons, chip) {
			r.Reasons = append(r.Reasons, chip)
		}
	}
	r.Answers[survey.QuestionReasons] = r.Reasons
	r.ExtraPayment = slices.Contains(r.Reasons, survey.ReasonPayment)
}

func demoRating(rng *mrand.Rand, quality float64) int {
	x := rng.Float64()
	switch {
	case x < quality*0.55:
		return 5
	case x < quality:
		return 4
	case x < quality+(1-quality)*0.4:
		return 3
	case x < quality+(1-quality)*0.8:
		return 2
	default:
		return 1
	}
}

// liveTickets issues three tickets for today through the normal path and returns their URLs.
func liveTickets(ctx context.Context, db *mongodb.DB, cfg *config.Config) ([]string, error) {
	log := slog.New(slog.DiscardHandler)
	store := mongodb.NewTicketStore(db, 16, mongodb.NewJournal(db, log))
	now := time.Now().UTC()
	var urls []string
	for i, f := range []string{"land", "civil-status", "certification"} {
		t := &survey.Ticket{
			Token: survey.NewTicketToken(now), ShortCode: survey.NewShortCode(), Nonce: survey.NewToken(),
			DossierCode:   fmt.Sprintf("000.00.53.H48-%s-%04d", now.Format("060102"), 9000+i+now.Second()*10),
			ProcedureName: "Thủ tục minh họa", Field: f, Agency: "000.00.53.H48", Counter: "Q1",
			Delivery: survey.DeliveryDirect, CompletedAt: now, SurveyID: "sipas-full", IssuedAt: now, ExpiresAt: now.Add(cfg.TicketTTL),
		}
		got, _, err := store.IssueTicket(ctx, t)
		if err != nil {
			return nil, err
		}
		urls = append(urls, cfg.BaseURL+"/s/"+got.Token+"  (mã "+survey.FormatShortCode(got.ShortCode)+")")
	}
	return urls, nil
}
