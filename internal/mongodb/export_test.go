package mongodb

import (
	"github.com/hailong/hailong/internal/rollup"
	"github.com/hailong/hailong/internal/survey"
)

// ResponseEvent exposes responseEvent to tests that journal by hand.
func ResponseEvent(r *survey.Response) rollup.Event { return responseEvent(r) }

// FollowUpEvent exposes followUpEvent to tests that journal by hand.
func FollowUpEvent(r *survey.Response, f *survey.FollowUp) rollup.Event { return followUpEvent(r, f) }
