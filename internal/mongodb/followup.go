package mongodb

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/hailong/hailong/internal/survey"
)

var _ survey.FollowUpStore = (*ResponseStore)(nil)

// fieldFollowUpNonce is the response field that marks its step 2 answers as added.
const fieldFollowUpNonce = "followup_nonce"

// colFollowUps holds one claim per response whose step 2 is being added: its unique _id lets
// one attempt of several concurrent ones through, on any store (a conditional update alone is
// not atomic on every Mongo-wire server). A crash between the claim and the update leaves that
// response without step 2, refused from then on.
const colFollowUps = "followup_claims"

// AddFollowUp adds the step 2 answers f to the stored response of token, exactly once and
// counted by the rollups: the journal records what they add before the response is updated,
// and the update applies only while the response has no step 2 yet, so a second attempt (or a
// crash between the two writes) leaves an entry whose nonce the response does not hold.
func (s *ResponseStore) AddFollowUp(ctx context.Context, token string, f *survey.FollowUp) error {
	r, err := s.Response(ctx, token)
	if err != nil {
		return err
	}
	switch {
	case r == nil:
		return survey.ErrTicketNotFound
	case r.FollowUpNonce != "":
		return survey.ErrFollowUpDone
	case !r.FollowUpOpen(f.At):
		return survey.ErrFollowUpClosed
	}
	if f.Empty() {
		return nil
	}
	after := r.WithFollowUp(f)
	set := bson.D{
		{Key: fieldFollowUpNonce, Value: f.Nonce}, {Key: "followup_at", Value: f.At},
		{Key: "criteria", Value: after.Criteria},
	}
	if after.Returns != "" { // the figures count it, so it is kept beside the answers
		set = append(set, bson.E{Key: "returns", Value: after.Returns})
	}
	if after.Contact {
		set = append(set, bson.E{Key: "contact", Value: true})
	}
	for k, v := range f.Answers {
		set = append(set, bson.E{Key: "answers." + k, Value: v})
	}
	claim := bson.D{{Key: "_id", Value: token}, {Key: "nonce", Value: f.Nonce}, {Key: "at", Value: f.At}}
	if _, err := s.col.Database().Collection(colFollowUps).InsertOne(ctx, claim); isDuplicate(err) {
		return survey.ErrFollowUpDone
	} else if err != nil {
		return storeErr("claim follow-up answers", err)
	}
	filter := bson.D{{Key: "_id", Value: token}, {Key: fieldFollowUpNonce, Value: bson.D{{Key: "$exists", Value: false}}}}
	var matched int64
	err = s.lane.urgent(func() error {
		if _, err := s.journal.Begin(ctx, followUpEvent(r, f)); err != nil {
			return err
		}
		res, err := s.writes.UpdateOne(ctx, filter, bson.D{{Key: "$set", Value: set}})
		if res != nil {
			matched = res.MatchedCount
		}
		return err
	})
	if err != nil {
		return storeErr("add follow-up answers", err)
	}
	if matched == 0 {
		return survey.ErrFollowUpDone
	}
	return nil
}
