package defence

import "sync"

// latest holds the latest value of something that changes, and wakes its one
// reader, which reads only the latest: a storm of changes costs the reader one
// wake-up, never a queue, and never blocks the writer.
type latest[T any] struct {
	mu   sync.Mutex
	v    T
	wake chan struct{} // one pending wake-up at most
}

func newLatest[T any]() latest[T] { return latest[T]{wake: make(chan struct{}, 1)} }

// set makes v the latest value, if ok (called under the lock) allows it.
func (l *latest[T]) set(v T, ok func() bool) {
	l.mu.Lock()
	if ok != nil && !ok() {
		l.mu.Unlock()
		return
	}
	l.v = v
	l.mu.Unlock()
	select {
	case l.wake <- struct{}{}:
	default:
	}
}

// get returns the latest value.
func (l *latest[T]) get() T {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.v
}
