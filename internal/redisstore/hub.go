package redisstore

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/hailong/hailong/internal/kiosk"
)

// hubChannel follows the deployment's Redis prefix: it is the one channel every instance of a
// deployment publishes kiosk events on. Events are few (one per completed dossier), so each
// instance simply receives them all; other deployments sharing the Redis never see them.
const hubChannel = "kiosk:events"

// subscriberBuffer is how many events a slow subscriber may fall behind before the oldest is
// dropped; a kiosk only ever needs the latest dossier.
const subscriberBuffer = 8

// Hub delivers kiosk events to the subscribers of a counter on every server instance. An event
// reaches this instance's subscribers directly and the other instances' through Redis pub/sub;
// without Redis, or while Redis fails, it reaches this instance's subscribers only.
type Hub struct {
	rdb     *redis.Client
	log     *slog.Logger
	channel string // prefix + hubChannel
	origin  string // tells this instance's events from the others' when they come back from Redis

	mu   sync.Mutex
	subs map[string]map[*hubSub]struct{}

	ps        *redis.PubSub
	stop      context.CancelFunc
	done      chan struct{}
	ready     chan struct{}
	readyOnce sync.Once
	down      atomic.Bool
}

type hubSub struct{ ch chan kiosk.Event }

// envelope is an event on the Redis channel.
type envelope struct {
	Origin  string      `json:"o"`
	Counter string      `json:"c"`
	Event   kiosk.Event `json:"e"`
}

var _ kiosk.Hub = (*Hub)(nil)

// NewHub returns a hub using client when it is not nil, on the channel of the deployment whose
// Redis keys start with prefix (HAILONG_REDIS_PREFIX); Close stops it.
func NewHub(client *redis.Client, prefix string, log *slog.Logger) *Hub {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	h := &Hub{
		rdb: client, log: log, channel: prefix + hubChannel, origin: hex.EncodeToString(b),
		subs: map[string]map[*hubSub]struct{}{}, done: make(chan struct{}), ready: make(chan struct{}),
	}
	if client == nil {
		close(h.done)
		h.readyOnce.Do(func() { close(h.ready) })
		return h
	}
	ctx, stop := context.WithCancel(context.Background())
	h.stop = stop
	h.ps = client.Subscribe(ctx, h.channel)
	go h.listen(ctx)
	return h
}

// Ready waits until the hub receives other instances' events: at once without Redis, else once
// Redis has confirmed the subscription.
func (h *Hub) Ready(ctx context.Context) error {
	select {
	case <-h.ready:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Close stops receiving from Redis. Subscribers keep their channels until they cancel.
func (h *Hub) Close() {
	if h.stop == nil {
		return
	}
	h.stop()
	_ = h.ps.Close()
	<-h.done
}

// Publish delivers ev to the subscribers of counter on every instance. If Redis fails, the
// event still reaches this instance's subscribers and the failure is logged, not returned: the
// kiosk gets the dossier anyway when it next (re)connects.
func (h *Hub) Publish(ctx context.Context, counter string, ev kiosk.Event) error {
	return h.PublishAll(ctx, []kiosk.Push{{Counter: counter, Event: ev}})
}

// PublishAll delivers each push as Publish does, in one round trip to Redis for them all.
func (h *Hub) PublishAll(ctx context.Context, pushes []kiosk.Push) error {
	payloads := make([][]byte, len(pushes))
	for i, p := range pushes {
		if p.Event.SentAt.IsZero() {
			p.Event.SentAt = time.Now().UTC()
		}
		h.deliver(p.Counter, p.Event)
		if h.rdb == nil {
			continue
		}
		payload, err := json.Marshal(envelope{Origin: h.origin, Counter: p.Counter, Event: p.Event})
		if err != nil {
			return err
		}
		payloads[i] = payload
	}
	if h.rdb == nil || len(pushes) == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	_, err := h.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for _, payload := range payloads {
			p.Publish(ctx, h.channel, payload)
		}
		return nil
	})
	if err != nil {
		h.log.Warn("kiosk push: redis publish failed; delivered to this instance's kiosks only", "err", err)
	}
	return nil
}

// Subscribe returns the events for counter until ctx ends or the returned func is called;
// either closes the channel.
func (h *Hub) Subscribe(ctx context.Context, counter string) (<-chan kiosk.Event, func()) {
	sub := &hubSub{ch: make(chan kiosk.Event, subscriberBuffer)}
	h.mu.Lock()
	if h.subs[counter] == nil {
		h.subs[counter] = map[*hubSub]struct{}{}
	}
	h.subs[counter][sub] = struct{}{}
	h.mu.Unlock()
	var once sync.Once
	cancel := func() {
		once.Do(func() {
			h.mu.Lock()
			defer h.mu.Unlock()
			delete(h.subs[counter], sub)
			if len(h.subs[counter]) == 0 {
				delete(h.subs, counter)
			}
			close(sub.ch)
		})
	}
	stop := context.AfterFunc(ctx, cancel)
	return sub.ch, func() { stop(); cancel() }
}

// deliver hands ev to this instance's subscribers of counter without ever blocking: a
// subscriber that has fallen behind loses its oldest event.
func (h *Hub) deliver(counter string, ev kiosk.Event) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for sub := range h.subs[counter] {
		select {
		case sub.ch <- ev:
			continue
		default:
		}
		select {
		case <-sub.ch:
		default:
		}
		select {
		case sub.ch <- ev:
		default:
		}
	}
}

// Receive timing: a read waits this long before the connection is checked with a ping, and
// a failing Redis is retried after a back-off growing to the maximum.
const (
	receiveTimeout = 30 * time.Second
	minBackoff     = 100 * time.Millisecond
	maxBackoff     = 2 * time.Second
)

// listen receives other instances' events until ctx ends. go-redis reconnects and
// resubscribes after a failure; listen only backs off and logs.
func (h *Hub) listen(ctx context.Context) {
	defer close(h.done)
	backoff := minBackoff
	for ctx.Err() == nil {
		msg, err := h.ps.ReceiveTimeout(ctx, receiveTimeout)
		if err != nil && isTimeout(err) {
			err = h.ps.Ping(ctx)
		}
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			h.failed(err)
			sleep(ctx, backoff)
			backoff = min(backoff*2, maxBackoff)
			continue
		}
		backoff = minBackoff
		h.received(msg)
	}
}

// received handles one reply from the subscription.
func (h *Hub) received(msg any) {
	switch m := msg.(type) {
	case *redis.Subscription:
		h.readyOnce.Do(func() { close(h.ready) })
		if h.down.Swap(false) {
			h.log.Info("kiosk push: redis subscription resumed")
		}
	case *redis.Message:
		var env envelope
		if err := json.Unmarshal([]byte(m.Payload), &env); err != nil {
			h.log.Warn("kiosk push: unreadable event on redis", "err", err)
			return
		}
		if env.Origin != h.origin {
			h.deliver(env.Counter, env.Event)
		}
	}
}

func (h *Hub) failed(err error) {
	if !h.down.Swap(true) {
		h.log.Warn("kiosk push: redis subscription failed; other instances' events wait until it resumes", "err", err)
	}
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
