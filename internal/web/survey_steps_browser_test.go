package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/hailong/hailong/internal/testkit"
)

// english is a phone set to English: the survey must still open in Vietnamese, like the slip.
const english = "en-US,en;q=0.9"

// Step 1 on a 360×740 phone set to English: Vietnamese, the five faces, the payment question
// and the submit button all on the first screen, the comment only after a 1 or 2.
func TestSurveyStepOneFitsTheFirstScreenInVietnamese(t *testing.T) {
	e := newEnv(t)
	e.signInAdmin().post("/admin/units", url.Values{"code": {"000.00.53.H48"}, "name": {"UBND phường Hương Sơ"}}, http.StatusSeeOther)
	tk := e.issue("H48-260331-0201", http.StatusCreated)
	ctx := browse(t)
	do(t, ctx, testkit.Viewport(360, 740), testkit.AcceptLanguage(english), chromedp.Navigate(e.base+"/s/"+tk.Token),
		chromedp.WaitVisible(chromedp.CSS(`form.step1`)))
	if lang := eval[string](t, ctx, `document.documentElement.lang`); lang != "vi" {
		t.Errorf("a phone set to English got lang %q, want vi", lang)
	}
	if office := text(t, ctx, `.office`); office != "UBND phường Hương Sơ" {
		t.Errorf("the page names the office %q, want UBND phường Hương Sơ", office)
	}
	bottoms := eval[map[string]float64](t, ctx, `({
		faces: document.querySelector('#q-overall').getBoundingClientRect().bottom,
		payment: document.querySelector('#q-extra_payment').getBoundingClientRect().bottom,
		submit: document.querySelector('form.step1 button[type=submit]').getBoundingClientRect().bottom,
		faceCount: document.querySelectorAll('#q-overall label.smiley svg').length,
	})`)
	if bottoms["faceCount"] != 5 {
		t.Errorf("%v faces, want 5", bottoms["faceCount"])
	}
	for _, part := range []string{"faces", "payment", "submit"} {
		if bottoms[part] > 740 {
			t.Errorf("the %s ends at %.0f px, below the first 740 px screen", part, bottoms[part])
		}
	}
	if eval[bool](t, ctx, `document.getElementById('in-comment').offsetParent !== null`) {
		t.Error("the comment box shows before any rating")
	}
	do(t, ctx, chromedp.Click(chromedp.CSS(`#q-overall label.f1`)))
	if !eval[bool](t, ctx, `document.getElementById('in-comment').offsetParent !== null`) {
		t.Error("a rating of 1 does not ask for the comment")
	}
	fitsAndPasses(t, ctx, "survey-step1", 360)
	do(t, ctx, chromedp.Click(chromedp.CSS(`#q-overall label.f4`)))
	if eval[bool](t, ctx, `document.getElementById('in-comment').offsetParent !== null`) {
		t.Error("the comment box stays after changing the rating to 4")
	}
	do(t, ctx, testkit.Viewport(1280, 900))
	fitsAndPasses(t, ctx, "survey-step1", 1280)
}

// A first-time user on the keyboard alone: Tab to the faces, arrows to choose, Tab to the
// button, Enter; stored within 10 s of the page load.
func TestSurveyStepOneByKeyboardWithinTenSeconds(t *testing.T) {
	e := newEnv(t)
	tk := e.issue("H48-260331-0202", http.StatusCreated)
	ctx := browse(t)
	start := time.Now()
	do(t, ctx, testkit.Viewport(360, 740), chromedp.Navigate(e.base+"/s/"+tk.Token), chromedp.WaitVisible(chromedp.CSS(`form.step1`)))
	for tabs := 0; !eval[bool](t, ctx, `document.activeElement.name === 'overall'`); tabs++ {
		if tabs == 30 {
			t.Fatal("30 Tab presses never reached the overall rating")
		}
		do(t, ctx, chromedp.KeyEvent(kb.Tab))
	}
	// The first arrow press checks the next face from the focused first one.
	do(t, ctx, chromedp.KeyEvent(" "), chromedp.KeyEvent(kb.ArrowRight), chromedp.KeyEvent(kb.ArrowRight), chromedp.KeyEvent(kb.ArrowRight))
	if v := eval[string](t, ctx, `(document.querySelector('#q-overall input:checked') || {}).value`); v != "4" {
		t.Fatalf("after Space and three arrows the overall rating is %q, want 4", v)
	}
	for tabs := 0; !eval[bool](t, ctx, `document.activeElement.type === 'submit'`); tabs++ {
		if tabs == 10 {
			t.Fatal("10 Tab presses never reached the submit button")
		}
		do(t, ctx, chromedp.KeyEvent(kb.Tab))
	}
	if _, err := chromedp.RunResponse(ctx, chromedp.KeyEvent(kb.Enter)); err != nil {
		t.Fatal(err)
	}
	took := time.Since(start)
	if h := text(t, ctx, `.msg.thanks h1`); h != "Cảm ơn Ông/Bà đã đánh giá!" {
		t.Fatalf("after Enter: heading %q", h)
	}
	t.Logf("step 1 by keyboard, page load to thank-you page: %v", took.Round(time.Millisecond))
	if took > 10*time.Second {
		t.Errorf("step 1 took %v, want within 10 s", took)
	}
	if r, err := e.store.Response(context.Background(), tk.Token); err != nil || r == nil || r.Overall != 4 {
		t.Fatalf("stored response %+v (%v), want overall 4", r, err)
	}
}

// With scripts on: an error goes away once fixed, and Back after the thanks never lands on a
// "resend the form?" page.
func TestSurveyErrorClearsAndBackDoesNotResubmit(t *testing.T) {
	e := newEnv(t)
	tk := e.issue("H48-260331-0203", http.StatusCreated)
	ctx := browse(t)
	survey := e.base + "/s/" + tk.Token
	do(t, ctx, testkit.Viewport(360, 740), chromedp.Navigate(survey), chromedp.WaitVisible(chromedp.CSS(`form.step1`)))
	if status := submit(t, ctx); status != http.StatusUnprocessableEntity {
		t.Fatalf("submit without a rating: %d, want 422", status)
	}
	text(t, ctx, `#errors`)
	do(t, ctx, chromedp.Click(chromedp.CSS(`#q-overall label.f5`)))
	if eval[bool](t, ctx, `document.getElementById('errors') !== null || document.querySelector('#q-overall .err') !== null || document.getElementById('q-overall').hasAttribute('aria-invalid')`) {
		t.Error("the error message stays after the rating is chosen")
	}
	if status := submit(t, ctx); status != http.StatusOK {
		t.Fatalf("submit: %d, want the thank-you page", status)
	}
	text(t, ctx, `.msg.thanks h1`)
	if _, err := chromedp.RunResponse(ctx, chromedp.NavigateBack()); err != nil {
		t.Fatalf("Back after the thanks: %v (a form-resubmission page?)", err)
	}
	if h := text(t, ctx, `main h1`); h != "Cảm ơn Ông/Bà đã đánh giá!" {
		t.Errorf("Back after the thanks shows %q, want the thanks again", h)
	}
	if loc := eval[string](t, ctx, `location.href`); !strings.HasPrefix(loc, survey) {
		t.Errorf("Back went to %s", loc)
	}
}

// Step 2 is offered on the thank-you page, optional and with "Không áp dụng"; its answers are
// added once to the same response and counted.
func TestSurveyStepTwoAddsToTheSameResponse(t *testing.T) {
	e := newEnv(t)
	tk := e.issue("H48-260331-0204", http.StatusCreated)
	ctx := browse(t)
	do(t, ctx, testkit.Viewport(360, 740), chromedp.Navigate(e.base+"/s/"+tk.Token), chromedp.WaitVisible(chromedp.CSS(`form.step1`)),
		chromedp.Click(chromedp.CSS(`#q-overall label.f4`)))
	submit(t, ctx)
	if p := text(t, ctx, `.step2 .progress`); !strings.Contains(p, "Bước 2/2") {
		t.Errorf("step 2 progress reads %q, want Bước 2/2", p)
	}
	items := eval[int](t, ctx, `document.querySelectorAll('.step2 fieldset').length`)
	na := eval[int](t, ctx, `[...document.querySelectorAll('.step2 label.na')].filter(l => l.textContent.trim() === 'Không áp dụng').length`)
	if items < 5 || items > 6 || na != items {
		t.Errorf("step 2 has %d items, %d with Không áp dụng; want 5-6, each with it", items, na)
	}
	if eval[bool](t, ctx, `document.body.textContent.includes('đúng hẹn')`) {
		t.Error("step 2 asks about on-time, which the ticket already says")
	}
	fitsAndPasses(t, ctx, "survey-step2", 360)
	do(t, ctx, chromedp.Click(chromedp.CSS(`#q-access_signage input[value="5"]`)),
		chromedp.Click(chromedp.CSS(`#q-staff_polite label.na`)),
		chromedp.Click(chromedp.CSS(`#q-result_accurate input[value="2"]`)))
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`.step2 button[type=submit]`)))
	if err != nil || resp.Status != http.StatusOK {
		t.Fatalf("step 2 submit: %v %v", resp, err)
	}
	if p := text(t, ctx, `.msg.thanks p`); !strings.Contains(p, "câu trả lời thêm") {
		t.Errorf("after step 2: %q", p)
	}
	if eval[bool](t, ctx, `document.querySelector('.step2') !== null`) {
		t.Error("step 2 is offered again after it was answered")
	}
	r, err := e.store.Response(context.Background(), tk.Token)
	if err != nil || fmt.Sprint(r.Answers["access_signage"]) != "5" || len(r.Criteria) != 2 || r.FollowUpNonce == "" {
		t.Fatalf("stored response %+v (%v): want access 5 and result 2 added", r, err)
	}
	if _, ok := r.Answers["staff_polite"]; ok {
		t.Error("Không áp dụng was stored as an answer")
	}
	// A second post (Back, submit again) adds nothing and just thanks.
	status, _, _ := e.post("/s/"+tk.Token+"/more", "application/x-www-form-urlencoded", "staff_polite=1")
	if status != http.StatusSeeOther {
		t.Errorf("second step 2 post: %d, want 303 to the thanks", status)
	}
	if again, _ := e.store.Response(context.Background(), tk.Token); len(again.Criteria) != 2 {
		t.Errorf("a second step 2 changed the response: %+v", again.Criteria)
	}
}

func TestSurveyStepTwoClosesAfterThirtyMinutes(t *testing.T) {
	e := newEnv(t)
	tk := e.issue("H48-260331-0205", http.StatusCreated)
	if status, body := e.submitJSON(`{"token":"` + tk.Token + `","answers":{"overall":5}}`); status != http.StatusCreated {
		t.Fatalf("submit: %d %s", status, body)
	}
	e.advance(31 * time.Minute)
	status, _, page := e.post("/s/"+tk.Token+"/more", "application/x-www-form-urlencoded", "access_signage=4")
	if status != http.StatusGone || !strings.Contains(page, "30 phút") {
		t.Fatalf("step 2 after 31 minutes: %d %s", status, page)
	}
}
