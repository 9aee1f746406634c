package main

import (
	"net/http"
	"strings"

	"github.com/kdsgo/kds/compat/kinesisapi"
)

// dashboardPath is where kds serve serves its web dashboard.
const dashboardPath = "/kds/"

// withDashboard serves the Kinesis API with a dashboard beside it: GET and
// HEAD requests under [dashboardPath] go to dash (with the path made
// relative to it), everything else to api, which refuses what is not a
// Kinesis call as Kinesis does.
func withDashboard(api *kinesisapi.Handler, dash http.Handler) eventStreamHandler {
	return dashboardMux{Handler: api, dash: http.StripPrefix(strings.TrimSuffix(dashboardPath, "/"), dash)}
}

// dashboardMux routes between the Kinesis API, whose event streams it
// ends as the API handler does, and the dashboard.
type dashboardMux struct {
	*kinesisapi.Handler
	dash http.Handler
}

func (m dashboardMux) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		switch p := r.URL.Path; {
		case p+"/" == dashboardPath:
			http.Redirect(w, r, dashboardPath, http.StatusMovedPermanently)
			return
		case strings.HasPrefix(p, dashboardPath):
			m.dash.ServeHTTP(w, r)
			return
		}
	}
	m.Handler.ServeHTTP(w, r)
}
