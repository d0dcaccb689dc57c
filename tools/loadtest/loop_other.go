//go:build !linux

package main

import "time"

// haveLoopClient: the event-loop client needs epoll (Linux); elsewhere hammer's goroutines
// drive the connections.
const haveLoopClient = false

func hammerLoop(addr string, reqs [][]byte, want []string, conns int, d time.Duration, total int) result {
	return hammer(addr, reqs, want, conns, d, total)
}
