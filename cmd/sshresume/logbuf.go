package main

import (
	"bufio"
	"io"
	"sync"
	"time"
)

// logBuffer gathers log lines and writes them out every interval, or sooner
// when 32 KiB are waiting, as nginx's buffered access log does: with the web
// door on, every request is a log line, and a write system call for each one
// cost about a fifth of a request's CPU time. Close writes what is left.
type logBuffer struct {
	mu   sync.Mutex
	w    *bufio.Writer
	done chan struct{}
	wg   sync.WaitGroup
}

func newLogBuffer(w io.Writer, interval time.Duration) *logBuffer {
	b := &logBuffer{w: bufio.NewWriterSize(w, 32<<10), done: make(chan struct{})}
	b.wg.Add(1)
	go func() {
		defer b.wg.Done()
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				b.flush()
			case <-b.done:
				return
			}
		}
	}()
	return b
}

// Write takes one log line; the logger writes each line in one call.
func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.w.Write(p)
}

func (b *logBuffer) flush() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.w.Buffered() > 0 {
		_ = b.w.Flush()
	}
}

// Close stops the timer and writes the lines still waiting.
func (b *logBuffer) Close() error {
	close(b.done)
	b.wg.Wait()
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.w.Flush()
}
