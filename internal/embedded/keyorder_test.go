package embedded

import (
	"context"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/hailong/hailong/internal/survey"
)

// BenchmarkInsertManyByKeyOrder inserts batches of 500 ticket-sized documents into a
// collection already holding 200,000, keyed by random tokens (survey.NewToken) or by ticket
// tokens (survey.NewTicketToken), and prints the documents stored per second. A run:
//
//	go test ./internal/embedded -run '^$' -bench InsertManyByKeyOrder -benchtime 40x
func BenchmarkInsertManyByKeyOrder(b *testing.B) {
	const held, batch = 200_000, 500
	for _, tc := range []struct {
		name string
		key  func(time.Time) string
	}{
		{"random", func(time.Time) string { return survey.NewToken() }},
		{"ticket", survey.NewTicketToken},
	} {
		ctx := context.Background()
		_, col := openStore(b)
		start := time.Now().Add(-time.Hour)
		for i := 0; i < held; i += batch {
			if _, err := col.InsertMany(ctx, ticketDocs(batch, tc.key, start.Add(time.Duration(i)*time.Millisecond))); err != nil {
				b.Fatal(err)
			}
		}
		b.Run(tc.name, func(b *testing.B) {
			for range b.N {
				if _, err := col.InsertMany(ctx, ticketDocs(batch, tc.key, time.Now())); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "docs/s")
		})
	}
}

// ticketDocs returns n documents the size of a ticket, keyed by key(at).
func ticketDocs(n int, key func(time.Time) string, at time.Time) []any {
	docs := make([]any, n)
	for i := range docs {
		docs[i] = bson.D{
			{Key: "_id", Value: key(at)}, {Key: "short_code", Value: survey.NewShortCode()},
			{Key: "nonce", Value: survey.NewToken()}, {Key: "dossier_code", Value: "000.00.12.H12-261201-0001"},
			{Key: "procedure_name", Value: "Cấp giấy chứng nhận quyền sử dụng đất lần đầu"},
			{Key: "field", Value: "dat-dai"}, {Key: "agency", Value: "ubnd-quan-1"}, {Key: "counter", Value: "q1-07"},
			{Key: "completed_at", Value: at}, {Key: "issued_at", Value: at}, {Key: "expires_at", Value: at.Add(720 * time.Hour)},
		}
	}
	return docs
}
