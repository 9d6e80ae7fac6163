// Package metrics exposes a node's Prometheus metrics: HTTP requests and
// their latency, the page cache's hits and misses, the background job
// queue and the progress of newsletter sends.
package metrics

import (
	"context"
	"crypto/subtle"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"masthead/internal/store"
)

// Options say where the metrics come from.
type Options struct {
	// Store answers the job queue and send progress at each scrape.
	Store *store.Store
	// Cache returns the page cache's hits and misses so far; nil leaves
	// them out.
	Cache  func() (hits, misses uint64)
	Logger *slog.Logger
}

// Metrics is one node's registry.
type Metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	log      *slog.Logger
}

// New registers the metrics.
func New(opts Options) *Metrics {
	log := opts.Logger
	if log == nil {
		log = slog.Default()
	}
	m := &Metrics{reg: prometheus.NewRegistry(), log: log}
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "masthead_http_requests_total",
		Help: "HTTP requests answered, by area of the application and status class.",
	}, []string{"area", "code"})
	m.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "masthead_http_request_duration_seconds",
		Help:    "Time to answer HTTP requests, by area of the application.",
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
	}, []string{"area"})
	m.reg.MustRegister(m.requests, m.latency,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if opts.Cache != nil {
		m.reg.MustRegister(cacheCollector{counts: opts.Cache})
	}
	if opts.Store != nil {
		m.reg.MustRegister(&storeCollector{st: opts.Store, log: log})
	}
	return m
}

// Area names the part of the application a path belongs to; it keeps the
// label's values few whatever paths are asked for.
func Area(path string) string {
	switch {
	case path == "/healthz" || path == "/readyz" || path == "/metrics":
		return "health"
	case path == "/desk" || strings.HasPrefix(path, "/desk/api/"):
		if strings.HasPrefix(path, "/desk/api/") {
			return "api"
		}
		return "desk"
	case strings.HasPrefix(path, "/desk/"):
		return "desk"
	case strings.HasPrefix(path, "/media/"):
		return "media"
	case strings.HasPrefix(path, "/static/"):
		return "static"
	}
	return "site"
}

// Instrument counts and times the requests h answers.
func (m *Metrics) Instrument(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w}
		defer func() {
			area := Area(r.URL.Path)
			code := rec.status
			if code == 0 {
				code = http.StatusOK
			}
			m.requests.WithLabelValues(area, strconv.Itoa(code/100)+"xx").Inc()
			m.latency.WithLabelValues(area).Observe(time.Since(start).Seconds())
		}()
		h.ServeHTTP(rec, r)
	})
}

// Handler serves the metrics in Prometheus' text format. When token is
// set, only requests with "Authorization: Bearer TOKEN" get them.
func (m *Metrics) Handler(token string) http.Handler {
	h := promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{ErrorLog: slog.NewLogLogger(m.log.Handler(), slog.LevelWarn)})
	if token == "" {
		return h
	}
	want := []byte("Bearer " + token)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got := []byte(r.Header.Get("Authorization"))
		if subtle.ConstantTimeCompare(got, want) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="metrics"`)
			http.Error(w, "metrics need a bearer token", http.StatusUnauthorized)
			return
		}
		h.ServeHTTP(w, r)
	})
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the real writer (flushing,
// deadlines).
func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

var (
	cacheDesc = prometheus.NewDesc("masthead_page_cache_requests_total",
		"Public pages asked of the page cache, by whether it had them.", []string{"result"}, nil)
	jobsDesc = prometheus.NewDesc("masthead_jobs",
		"Background jobs not yet done, by kind and state.", []string{"kind", "status"}, nil)
	jobsDueDesc = prometheus.NewDesc("masthead_jobs_due",
		"Pending background jobs whose time has come: the queue depth.", []string{"kind"}, nil)
	sendDesc = prometheus.NewDesc("masthead_newsletter_deliveries",
		"Deliveries of the newsletter issues being sent, by issue and state.", []string{"issue", "status"}, nil)
	scrapeErrDesc = prometheus.NewDesc("masthead_metrics_store_up",
		"Whether the database answered the last scrape's questions (1) or not (0).", nil, nil)
)

type cacheCollector struct {
	counts func() (hits, misses uint64)
}

func (c cacheCollector) Describe(ch chan<- *prometheus.Desc) { ch <- cacheDesc }

func (c cacheCollector) Collect(ch chan<- prometheus.Metric) {
	hits, misses := c.counts()
	ch <- prometheus.MustNewConstMetric(cacheDesc, prometheus.CounterValue, float64(hits), "hit")
	ch <- prometheus.MustNewConstMetric(cacheDesc, prometheus.CounterValue, float64(misses), "miss")
}

// storeCollector asks the database at each scrape, so that every node
// reports the cluster's queue as it stands.
type storeCollector struct {
	st  *store.Store
	log *slog.Logger
}

func (c *storeCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- jobsDesc
	ch <- jobsDueDesc
	ch <- sendDesc
	ch <- scrapeErrDesc
}

func (c *storeCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	up := 1.0
	jobs, err := c.st.JobGauges(ctx, time.Now())
	if err != nil {
		c.log.Warn("metrics: job queue", "err", err)
		up = 0
	}
	due := map[string]int{}
	for _, g := range jobs {
		ch <- prometheus.MustNewConstMetric(jobsDesc, prometheus.GaugeValue, float64(g.Count), g.Kind, string(g.Status))
		due[g.Kind] += g.Due
	}
	for kind, n := range due {
		ch <- prometheus.MustNewConstMetric(jobsDueDesc, prometheus.GaugeValue, float64(n), kind)
	}
	sends, err := c.st.SendGauges(ctx)
	if err != nil {
		c.log.Warn("metrics: send progress", "err", err)
		up = 0
	}
	for _, g := range sends {
		ch <- prometheus.MustNewConstMetric(sendDesc, prometheus.GaugeValue, float64(g.Count),
			strconv.FormatInt(g.IssueID, 10), string(g.Status))
	}
	ch <- prometheus.MustNewConstMetric(scrapeErrDesc, prometheus.GaugeValue, up)
}
