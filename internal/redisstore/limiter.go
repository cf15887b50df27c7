// Package redisstore holds what Hài Lòng keeps in Redis: per-client rate limits shared by every
// server instance (with an in-process fallback), and the pub/sub that reaches kiosks.
package redisstore

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-redis/redis_rate/v10"
	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/redis/go-redis/v9"
	"golang.org/x/time/rate"

	"github.com/hailong/hailong/internal/kiosk"
)

// Limiter enforces per-key request rates. With Redis every instance shares one count (GCRA,
// through redis_rate); without Redis, or while Redis fails, an in-process limiter takes over so
// a valid request is never refused because Redis is down.
type Limiter struct {
	redis    *redis_rate.Limiter
	prefix   string // HAILONG_REDIS_PREFIX: keeps deployments sharing a Redis apart
	local    *lru.Cache[string, *rate.Limiter]
	localMu  sync.Mutex
	log      *slog.Logger
	downTill atomic.Int64 // unix nanos until which Redis is skipped after a failure
	down     atomic.Bool
	// OnRedisError is called on each Redis failure (for metrics); may be nil.
	OnRedisError func()
}

// Limit is a rate: Per requests each Period, allowing a burst of Burst.
type Limit struct {
	Rate   int
	Period time.Duration
	Burst  int
}

// PerMinute allows n requests a minute with a burst of n.
func PerMinute(n int) Limit { return Limit{Rate: n, Period: time.Minute, Burst: n} }

// NewLimiter returns a limiter using client when it is not nil, its Redis keys starting with
// prefix (HAILONG_REDIS_PREFIX).
//
// The limits go to Redis through the client's autopipeliner: the checks of the requests that
// arrive while one round trip is out are sent together as the next, so each request costs a
// share of one write and one read on the connection instead of its own. A request still waits
// for its own answer (a lone one goes at once), and each check is the same GCRA script.
func NewLimiter(client *redis.Client, prefix string, log *slog.Logger) *Limiter {
	l := &Limiter{log: log, prefix: prefix}
	l.local, _ = lru.New[string, *rate.Limiter](100_000)
	if client != nil {
		ap, err := client.AutoPipeline()
		if err != nil { // only invalid autopipeline options fail, and the client is given none
			log.Warn("redis: autopipelining unavailable; one round trip per rate check", "err", err)
			l.redis = redis_rate.NewLimiter(client)
		} else {
			l.redis = redis_rate.NewLimiter(ap)
		}
	}
	return l
}

var _ kiosk.RateLimiter = (*Limiter)(nil)

// AllowN takes one event for key under a limit of n per period, and reports whether it fits.
func (l *Limiter) AllowN(ctx context.Context, key string, n int, period time.Duration) bool {
	ok, _ := l.Allow(ctx, key, Limit{Rate: n, Period: period, Burst: n})
	return ok
}

// retryRedisAfter is how long Redis is skipped after a failure before it is tried again.
const retryRedisAfter = time.Second

// Allow takes one request for key under limit. It reports whether the request may go ahead and,
// if not, how long until it could.
func (l *Limiter) Allow(ctx context.Context, key string, limit Limit) (bool, time.Duration) {
	if l.redis != nil && time.Now().UnixNano() >= l.downTill.Load() {
		ok, wait, err := l.allowRedis(ctx, key, limit)
		if err == nil {
			if l.down.Swap(false) {
				l.log.Info("redis rate limiting resumed")
			}
			return ok, wait
		}
		l.redisFailed(err)
	}
	return l.allowLocal(key, limit)
}

func (l *Limiter) allowRedis(ctx context.Context, key string, limit Limit) (bool, time.Duration, error) {
	ctx, cancel := context.WithTimeout(ctx, 250*time.Millisecond)
	defer cancel()
	res, err := l.redis.Allow(ctx, l.prefix+"rl:"+key, redis_rate.Limit{Rate: limit.Rate, Period: limit.Period, Burst: limit.Burst})
	if err != nil {
		return false, 0, err
	}
	return res.Allowed > 0, res.RetryAfter, nil
}

func (l *Limiter) redisFailed(err error) {
	l.downTill.Store(time.Now().Add(retryRedisAfter).UnixNano())
	if l.OnRedisError != nil {
		l.OnRedisError()
	}
	if !l.down.Swap(true) {
		l.log.Warn("redis rate limiting failed; using the in-process limiter", "err", err)
	}
}

func (l *Limiter) allowLocal(key string, limit Limit) (bool, time.Duration) {
	l.localMu.Lock()
	lim, ok := l.local.Get(key)
	if !ok {
		lim = rate.NewLimiter(rate.Limit(float64(limit.Rate)/limit.Period.Seconds()), limit.Burst)
		l.local.Add(key, lim)
	}
	l.localMu.Unlock()
	r := lim.Reserve()
	if d := r.Delay(); d > 0 {
		r.Cancel()
		return false, d
	}
	return true, 0
}
