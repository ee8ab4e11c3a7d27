package main

import (
	"strings"

	"capsat/handlers/daily"
)

// selectRequests keeps the baseline (the first request) and the requests
// whose name contains only; all of them when only is empty.
func selectRequests(reqs []daily.Request, only string) []daily.Request {
	if only == "" {
		return reqs
	}
	kept := reqs[:1:1]
	for _, r := range reqs[1:] {
		if strings.Contains(r.Name, only) {
			kept = append(kept, r)
		}
	}
	return kept
}
