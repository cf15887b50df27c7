package rollup

import (
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/hailong/hailong/internal/cases"
	"github.com/hailong/hailong/internal/stats"
)

// JournalEntry is one write's record in the journal, made before the write: what it will add to
// the buckets. Confirms are earlier entries' confirmations, written with this one to save a
// commit.
type JournalEntry struct {
	ID       bson.ObjectID
	At       time.Time
	Events   []Event
	Confirms []Confirmation
}

// Event is one document's contribution to one rollup bucket.
type Event struct {
	Col   string `bson:"col"`   // collection holding the document
	DocID string `bson:"doc"`   // the document's _id
	Nonce string `bson:"nonce"` // the document's nonce, to tell it from an earlier attempt's
	// NonceField is the document field holding Nonce when it is not "nonce": an addition to a
	// stored document (a response's step 2) carries a nonce of its own.
	NonceField string           `bson:"nf,omitempty"`
	Key        string           `bson:"key"`  // rollup bucket
	Dims       bson.D           `bson:"dims"` // the bucket's dimensions (Dims), stored on first use
	Inc        map[string]int64 `bson:"inc"`
	// Comment is the citizen's comment, kept for the managers' list of latest comments.
	Comment *stats.Comment `bson:"comment,omitempty"`
	// Case is the follow-up case the response opens, if it opens one.
	Case *cases.Seed `bson:"case,omitempty"`
}

// Confirmation says which events of a journal entry took effect.
type Confirmation struct {
	ID bson.ObjectID `bson:"_id"`
	OK []int         `bson:"ok"`
	// Single says the entry holds one event. The worker settles such an entry by looking its
	// document up, so its confirmation only rides in a later entry, never stored on its own: a
	// lone one could land after the worker consumed the entry, and stay behind for good.
	Single bool `bson:"-"`
}

// Dims are the dimension fields of bucket b as events, batches and stored buckets carry them.
func Dims(b stats.Bucket) bson.D {
	return bson.D{
		{Key: "day", Value: b.Day.String()}, {Key: "agency", Value: b.Agency}, {Key: "counter", Value: b.Counter},
		{Key: "field", Value: b.Field}, {Key: "source", Value: b.Channel}, {Key: "officer", Value: b.Officer},
	}
}

// BucketDims are the dimension fields Dims writes, as read back from a stored document.
type BucketDims struct {
	Day     string `bson:"day"`
	Agency  string `bson:"agency"`
	Counter string `bson:"counter"`
	Field   string `bson:"field"`
	Channel string `bson:"source"`
	Officer string `bson:"officer"`
}

// Bucket is the bucket, without counts, that d names.
func (d *BucketDims) Bucket() (stats.Bucket, error) {
	day, err := stats.ParseDate(d.Day)
	if err != nil {
		return stats.Bucket{}, err
	}
	return stats.Bucket{Day: day, Agency: d.Agency, Counter: d.Counter, Field: d.Field, Channel: d.Channel, Officer: d.Officer}, nil
}

// bucketOf is the bucket, without counts, whose dimensions are dims (see Dims).
func bucketOf(dims bson.D) (stats.Bucket, error) {
	var d BucketDims
	raw, _ := bson.Marshal(dims)
	_ = bson.Unmarshal(raw, &d)
	return d.Bucket()
}
