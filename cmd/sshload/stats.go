package main

import (
	"math"
	"slices"
	"sync"
	"time"
)

// Dist summarises a set of measurements: how many, and their percentiles by the
// nearest-rank method. Durations are in milliseconds, byte counts in bytes.
type Dist struct {
	N    int     `json:"n"`
	Min  float64 `json:"min"`
	Mean float64 `json:"mean"`
	P50  float64 `json:"p50"`
	P90  float64 `json:"p90"`
	P99  float64 `json:"p99"`
	Max  float64 `json:"max"`
}

// newDist summarises values; the zero Dist stands for no values at all.
func newDist(values []float64) Dist {
	if len(values) == 0 {
		return Dist{}
	}
	v := slices.Clone(values)
	slices.Sort(v)
	sum := 0.0
	for _, x := range v {
		sum += x
	}
	return Dist{
		N:    len(v),
		Min:  round3(v[0]),
		Mean: round3(sum / float64(len(v))),
		P50:  round3(percentile(v, 50)),
		P90:  round3(percentile(v, 90)),
		P99:  round3(percentile(v, 99)),
		Max:  round3(v[len(v)-1]),
	}
}

// percentile is the nearest-rank percentile p of the sorted values: the smallest
// value that at least p% of the values do not exceed.
func percentile(sorted []float64, p float64) float64 {
	rank := int(math.Ceil(p / 100 * float64(len(sorted))))
	return sorted[min(max(rank, 1), len(sorted))-1]
}

func round3(x float64) float64 { return math.Round(x*1000) / 1000 }

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// recorder collects measurements from many goroutines.
type recorder struct {
	mu     sync.Mutex
	values map[string][]float64
	errors map[string]int
}

func newRecorder() *recorder {
	return &recorder{values: map[string][]float64{}, errors: map[string]int{}}
}

func (r *recorder) add(name string, v float64) {
	r.mu.Lock()
	r.values[name] = append(r.values[name], v)
	r.mu.Unlock()
}

// fail counts an error under a short description of where it happened.
func (r *recorder) fail(what string) {
	r.mu.Lock()
	r.errors[what]++
	r.mu.Unlock()
}

func (r *recorder) dist(name string) Dist {
	r.mu.Lock()
	defer r.mu.Unlock()
	return newDist(r.values[name])
}

func (r *recorder) count(name string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.values[name])
}

// errorCounts returns a copy of the error counts, or nil if there were none.
func (r *recorder) errorCounts() map[string]int {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.errors) == 0 {
		return nil
	}
	out := make(map[string]int, len(r.errors))
	for k, v := range r.errors {
		out[k] = v
	}
	return out
}
