package dashboard

import (
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"errors"
	"html/template"
	"io/fs"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/kdsgo/kds"
)

// DefaultSampleInterval is how often a Handler records every stream's open
// shard count unless [WithSampleInterval] says otherwise.
const DefaultSampleInterval = 10 * time.Second

//go:embed assets templates
var files embed.FS

// pages are the HTML templates, by file name.
var pages = template.Must(template.New("").Funcs(funcs).ParseFS(files, "templates/*.html"))

// Handler serves the dashboard of one [kds.Service]. Create it with [New]
// and stop its sampler with Close. It is safe for concurrent use.
type Handler struct {
	svc     *kds.Service
	hist    *history
	assets  http.Handler
	stop    chan struct{}
	stopped chan struct{}
	once    sync.Once
}

// Option configures a [Handler].
type Option func(*config)

type config struct {
	sampleInterval time.Duration
}

// WithSampleInterval sets how often, on the Service's Clock, the Handler
// records every stream's open shard count for the charts; 0 turns the
// sampler off. Each page view records the counts it shows whatever the
// setting, so the charts also grow while someone watches. Default:
// [DefaultSampleInterval].
func WithSampleInterval(d time.Duration) Option {
	return func(c *config) { c.sampleInterval = d }
}

// New returns a Handler that serves svc's dashboard. Unless
// [WithSampleInterval] turns it off, a goroutine records the open shard
// counts until Close.
func New(svc *kds.Service, opts ...Option) *Handler {
	cfg := config{sampleInterval: DefaultSampleInterval}
	for _, o := range opts {
		o(&cfg)
	}
	assets, err := fs.Sub(files, "assets")
	if err != nil {
		panic(err) // the directory is embedded
	}
	h := &Handler{
		svc:     svc,
		hist:    newHistory(),
		assets:  http.StripPrefix("/assets", http.FileServerFS(assets)),
		stop:    make(chan struct{}),
		stopped: make(chan struct{}),
	}
	if cfg.sampleInterval > 0 {
		go h.sample(cfg.sampleInterval)
	} else {
		close(h.stopped)
	}
	return h
}

// Close stops the sampler and waits for it to return. The Handler still
// serves pages after Close.
func (h *Handler) Close() error {
	h.once.Do(func() { close(h.stop) })
	<-h.stopped
	return nil
}

// sample records the open shard counts now and then every interval until
// Close.
func (h *Handler) sample(interval time.Duration) {
	defer close(h.stopped)
	clock := h.svc.Clock()
	for {
		// A failure is left for the next round: it could only be a
		// stream going away while it was read.
		describeAll(context.Background(), h.svc, h.hist, clock.Now(), nil)
		select {
		case <-h.stop:
			return
		case <-clock.After(interval):
		}
	}
}

// ServeHTTP answers GET and HEAD requests for the routes the package
// documentation lists.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	ctx := r.Context()
	name := r.URL.Query().Get("name")
	switch r.URL.Path {
	case "/":
		v, err := overview(ctx, h.svc, h.hist)
		h.respond(w, "index.html", v, err, name)
	case "/stream":
		v, err := detail(ctx, h.svc, h.hist, name)
		h.respond(w, "stream.html", v, err, name)
	case "/api/streams":
		v, err := overview(ctx, h.svc, h.hist)
		h.respond(w, "", v, err, name)
	case "/api/stream":
		v, err := detail(ctx, h.svc, h.hist, name)
		h.respond(w, "", v, err, name)
	default:
		if strings.HasPrefix(r.URL.Path, "/assets/") {
			h.assets.ServeHTTP(w, r)
			return
		}
		http.NotFound(w, r)
	}
}

// respond writes v with the template page, or as JSON if page is empty;
// or, if err is not nil, the error. name is the stream asked for, if any.
func (h *Handler) respond(w http.ResponseWriter, page string, v any, err error, name string) {
	w.Header().Set("Cache-Control", "no-store")
	status := http.StatusOK
	if err != nil {
		switch {
		case errors.Is(err, kds.ErrResourceNotFound):
			status = http.StatusNotFound
		case errors.Is(err, kds.ErrValidation), errors.Is(err, kds.ErrInvalidArgument):
			status = http.StatusBadRequest
		default:
			status = http.StatusInternalServerError
		}
		v = problem{Stream: name, Error: err.Error()}
		if page != "" {
			page = "problem.html"
		}
	}
	var body bytes.Buffer
	if page == "" {
		w.Header().Set("Content-Type", "application/json")
		enc := json.NewEncoder(&body)
		enc.SetIndent("", "  ")
		err = enc.Encode(v)
	} else {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		err = pages.ExecuteTemplate(&body, page, v)
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.WriteHeader(status)
	w.Write(body.Bytes())
}

// problem is what the dashboard answers when it cannot show what was
// asked for.
type problem struct {
	Stream string `json:"stream,omitempty"`
	Error  string `json:"error"`
}
