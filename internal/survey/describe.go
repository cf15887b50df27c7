package survey

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Answer is one stored answer as people read it: the question's label and the answer in words.
type Answer struct {
	Question, Value string
}

// Describe puts stored answers into words in lang, in the order the surveys ask them; answers to
// questions no survey knows are shown as stored.
func (c *Catalog) Describe(answers map[string]any, lang string) []Answer {
	var out []Answer
	seen := map[string]bool{}
	for _, id := range slices.Sorted(maps.Keys(c.byID)) {
		for _, q := range c.byID[id].Questions {
			v, ok := answers[q.ID]
			if !ok || seen[q.ID] {
				continue
			}
			seen[q.ID] = true
			out = append(out, Answer{Question: q.Label.In(lang), Value: q.describe(v, lang)})
		}
	}
	for _, k := range slices.Sorted(maps.Keys(answers)) {
		if !seen[k] {
			out = append(out, Answer{Question: k, Value: fmt.Sprint(answers[k])})
		}
	}
	return out
}

// describe is answer v to q in words: the label of each chosen option, a rating with its level.
func (q *Question) describe(v any, lang string) string {
	var values []string
	switch x := v.(type) {
	case bool:
		values = []string{map[bool]string{true: "yes", false: "no"}[x]}
	case []string:
		values = x
	case []any:
		for _, e := range x {
			values = append(values, fmt.Sprint(e))
		}
	default:
		values = []string{fmt.Sprint(v)}
	}
	words := make([]string, len(values))
	for i, value := range values {
		words[i] = value
		for _, o := range q.Options {
			if o.Value == value {
				words[i] = o.Label.In(lang)
				if q.Type == TypeRating {
					words[i] = value + " – " + words[i]
				}
			}
		}
	}
	return strings.Join(words, ", ")
}
