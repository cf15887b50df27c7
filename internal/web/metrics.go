package web

import (
	"context"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics are the Prometheus metrics of one server, in their own registry (no globals).
type Metrics struct {
	Registry      *prometheus.Registry
	requests      *prometheus.CounterVec
	latency       *prometheus.HistogramVec
	submissions   *prometheus.CounterVec
	rateLimitHits *prometheus.CounterVec
	// BatchSize observes each group-commit batch; StoreErrors and RedisErrors count failures.
	BatchSize   prometheus.Histogram
	StoreErrors prometheus.Counter
	RedisErrors prometheus.Counter
}

// NewMetrics registers every metric in a new registry, with the Go and process collectors.
func NewMetrics() *Metrics {
	m := &Metrics{
		Registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "hailong_http_requests_total", Help: "HTTP requests by route, method and status."}, []string{"route", "method", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "hailong_http_request_duration_seconds", Help: "HTTP request latency by route.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5}}, []string{"route", "method"}),
		submissions:   prometheus.NewCounterVec(prometheus.CounterOpts{Name: "hailong_submissions_total", Help: "Survey submissions by result (stored, duplicate, invalid, expired, not_found, rate_limited, unavailable)."}, []string{"result"}),
		rateLimitHits: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "hailong_rate_limit_hits_total", Help: "Requests refused by a rate limit, by bucket."}, []string{"bucket"}),
		BatchSize:     prometheus.NewHistogram(prometheus.HistogramOpts{Name: "hailong_response_batch_size", Help: "Responses written per group-commit batch.", Buckets: []float64{1, 2, 4, 8, 16, 32, 64, 128, 256, 512}}),
		StoreErrors:   prometheus.NewCounter(prometheus.CounterOpts{Name: "hailong_store_errors_total", Help: "Requests that failed because the store did not answer."}),
		RedisErrors:   prometheus.NewCounter(prometheus.CounterOpts{Name: "hailong_redis_errors_total", Help: "Redis calls that failed (rate limiting fell back to in-process)."}),
	}
	m.Registry.MustRegister(m.requests, m.latency, m.submissions, m.rateLimitHits, m.BatchSize, m.StoreErrors, m.RedisErrors,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// WatchJournal exports the count of journal entries not yet rolled up, read at each scrape.
func (m *Metrics) WatchJournal(pending func(context.Context) (int64, error)) {
	m.Registry.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "hailong_rollup_journal_pending", Help: "Journal entries not yet rolled up (-1 when the store did not answer).",
	}, func() float64 {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		n, err := pending(ctx)
		if err != nil {
			return -1
		}
		return float64(n)
	}))
}

// WatchRollupDays exports whether every day bucket is in memory (1) or still loading after a
// start (0), when only whole months can be answered.
func (m *Metrics) WatchRollupDays(loaded func() bool) {
	m.Registry.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "hailong_rollup_days_loaded", Help: "1 once every rollup day bucket is in memory; 0 while only month sums are.",
	}, func() float64 {
		if loaded() {
			return 1
		}
		return 0
	}))
}

// observe records one finished request.
func (m *Metrics) observe(c *fiber.Ctx, status int, elapsed time.Duration) {
	if m == nil {
		return
	}
	route := c.Route().Path
	m.requests.WithLabelValues(route, c.Method(), strconv.Itoa(status)).Inc()
	m.latency.WithLabelValues(route, c.Method()).Observe(elapsed.Seconds())
	if status == fiber.StatusServiceUnavailable {
		m.StoreErrors.Inc()
	}
	if c.Method() == fiber.MethodPost && (route == "/api/v1/responses" || route == "/s/:token") {
		m.submissions.WithLabelValues(submissionResult(status)).Inc()
	}
}

func submissionResult(status int) string {
	switch status {
	case fiber.StatusCreated, fiber.StatusSeeOther:
		return "stored"
	case fiber.StatusConflict:
		return "duplicate"
	case fiber.StatusGone:
		return "expired"
	case fiber.StatusNotFound:
		return "not_found"
	case fiber.StatusTooManyRequests:
		return "rate_limited"
	case fiber.StatusServiceUnavailable:
		return "unavailable"
	default:
		return "invalid"
	}
}

func (m *Metrics) rateLimited(bucket string) {
	if m != nil {
		m.rateLimitHits.WithLabelValues(bucket).Inc()
	}
}

// handler serves the registry in the Prometheus text format.
func (m *Metrics) handler() fiber.Handler {
	return adaptor.HTTPHandler(promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{}))
}
