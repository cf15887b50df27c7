package redisstore_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/hailong/hailong/internal/redisstore"
	"github.com/hailong/hailong/internal/testkit"
)

// A client's count is shared by the instances of one deployment, and not by another deployment
// that happens to use the same Redis.
func TestLimiterCountsArePerDeployment(t *testing.T) {
	url := testkit.RedisURL(t)
	run := fmt.Sprintf("hl:test-%d", time.Now().UnixNano())
	newLimiter := func(prefix string) *redisstore.Limiter {
		return redisstore.NewLimiter(testkit.RedisClient(t, url), prefix, testkit.Logger(t))
	}
	a1, a2, b := newLimiter(run+"-a:"), newLimiter(run+"-a:"), newLimiter(run+"-b:")
	ctx, limit := context.Background(), redisstore.PerMinute(1)

	if ok, _ := a1.Allow(ctx, "signin:client", limit); !ok {
		t.Fatal("the first attempt was refused")
	}
	if ok, _ := a2.Allow(ctx, "signin:client", limit); ok {
		t.Error("the same deployment's other instance allowed a second attempt within the limit of 1")
	}
	if ok, _ := b.Allow(ctx, "signin:client", limit); !ok {
		t.Error("another deployment's attempt was counted against this one's limit")
	}
}
