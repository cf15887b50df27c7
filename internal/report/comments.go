package report

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/hailong/hailong/internal/stats"
	"github.com/hailong/hailong/internal/survey"
)

// MaxComments is how many comments the report workbook lists at most.
const MaxComments = 500

// maxCommentRunes keeps each comment well inside Excel's cell limit.
const maxCommentRunes = 2000

var commentColumns = []column{
	{survey.Msg("report.time"), 17},
	{survey.Msg("report.field"), 24},
	{survey.Msg("report.agency"), 26},
	{survey.Msg("report.overall_rating"), 22},
	{survey.Msg("report.comment"), 80},
}

var noCommentsLabel = survey.Msg("report.no_comments")

// commentSheet adds the latest comments, negative ones first.
func (b *book) commentSheet(comments []Comment, title string, p stats.Period) error {
	s, err := b.sheet(commentSheetName.In(b.lang))
	if err != nil {
		return err
	}
	b.heading(s, title, p)
	s.row(3, b.headerCells(commentColumns))
	picked := latestComments(comments, MaxComments)
	if len(picked) == 0 {
		s.set(1, 4, cell{noCommentsLabel.In(b.lang), 0})
	}
	for i, c := range picked {
		s.row(4+i, b.commentCells(c))
	}
	s.widths(commentColumns)
	s.freeze(3)
	return s.done()
}

func (b *book) commentCells(c Comment) []cell {
	return []cell{
		{stats.FormatDateTime(c.At), 0},
		{c.Field, 0},
		{c.Agency, 0},
		{ratingText(c.Overall, b.lang), 0},
		{cleanComment(c.Text), b.st.wrap},
	}
}

// latestComments are the non-blank comments, negative (rated 1–2) first, newest first within
// each, at most limit of them.
func latestComments(cs []Comment, limit int) []Comment {
	out := make([]Comment, 0, len(cs))
	for _, c := range cs {
		if strings.TrimSpace(c.Text) != "" {
			out = append(out, c)
		}
	}
	slices.SortStableFunc(out, func(a, b Comment) int {
		if na, nb := negative(a.Overall), negative(b.Overall); na != nb {
			if na {
				return -1
			}
			return 1
		}
		return b.At.Compare(a.At)
	})
	return out[:min(len(out), limit)]
}

func negative(rating int) bool { return rating == 1 || rating == 2 }

// ratingText is "2 – Không hài lòng", or a dash outside the scale.
func ratingText(r int, lang string) string {
	if !stats.ValidRating(r) {
		return dash
	}
	return fmt.Sprintf("%d – %s", r, survey.RatingLabel(r).In(lang))
}

// cleanComment shortens very long text. Comments are masked when stored; masking again covers
// those stored before that.
func cleanComment(text string) string {
	text = survey.MaskPersonalData(strings.TrimSpace(text))
	if utf8.RuneCountInString(text) > maxCommentRunes {
		text = string([]rune(text)[:maxCommentRunes]) + "…"
	}
	return text
}
