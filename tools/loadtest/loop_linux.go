//go:build linux

package main

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"slices"
	"strconv"
	"syscall"
	"time"
)

// haveLoopClient: the event-loop client is available on this system.
const haveLoopClient = true

// hammerLoop is hammer with the connections driven by one event loop, as wrk drives them,
// instead of one goroutine each: the load generator shares the server's two cores, and a
// goroutine per connection cost it a failed read (EAGAIN) and a park and wake-up for every
// answer on top of its one write and one read.
//
// The loop is one goroutine holding an epoll set of the connections' sockets (non-blocking,
// level-triggered). The epoll descriptor is itself registered with Go's network poller
// (os.NewFile of a non-blocking descriptor), so the goroutine parks there when no answer is
// ready, like any network read, and never blocks a thread in epoll_wait: when woken it takes
// every ready answer with epoll_wait(timeout 0), checks it and sends that connection's next
// request. The rules are hammer's: each connection has one request in flight at a time
// (cycling over reqs from its own starting point, or taking the next of total), every answer
// is read whole and checked (200 and want[k] in the body), and latency runs from writing the
// request to reading the last byte of the answer.
func hammerLoop(addr string, reqs [][]byte, want []string, conns int, d time.Duration, total int) result {
	var out result
	fail := func(msg string) {
		out.errors++
		if out.firstError == "" {
			out.firstError = msg
		}
	}
	sa, err := sockaddr(addr)
	if err != nil {
		fail(err.Error())
		return out
	}
	epfd, err := syscall.EpollCreate1(syscall.EPOLL_CLOEXEC)
	if err != nil {
		fail(err.Error())
		return out
	}
	if err := syscall.SetNonblock(epfd, true); err != nil {
		fail(err.Error())
		syscall.Close(epfd)
		return out
	}
	ep := os.NewFile(uintptr(epfd), "epoll") // closes epfd when closed
	defer ep.Close()
	rc, err := ep.SyscallConn()
	if err != nil {
		fail(err.Error())
		return out
	}

	cs := make([]loopConn, conns)
	defer func() {
		for i := range cs {
			if cs[i].fd > 0 {
				syscall.Close(cs[i].fd)
			}
		}
	}()
	for w := range cs {
		c := &cs[w]
		c.id, c.i, c.buf = w, w*len(reqs)/conns, make([]byte, 16<<10)
		if err := c.dial(epfd, sa); err != nil {
			fail(err.Error())
			return out
		}
	}
	out.latencies = make([]time.Duration, 0, 1<<18)
	next := 0 // with d == 0: the next of total to send
	// pick returns the index of the request connection c sends next, or -1 when none is left.
	pick := func(c *loopConn) int {
		if d > 0 {
			k := c.i % len(reqs)
			c.i++
			return k
		}
		if next >= total {
			return -1
		}
		next++
		return (next - 1) % len(reqs)
	}
	inFlight := 0
	send := func(c *loopConn, now time.Time) {
		if c.k = pick(c); c.k < 0 {
			return
		}
		c.n, c.t0 = 0, now
		if err := writeAll(c.fd, reqs[c.k]); err != nil {
			fail(err.Error())
			c.k = -1
			return
		}
		inFlight++
	}

	begin := time.Now()
	deadline := begin.Add(d)
	stopping := false
	for i := range cs {
		send(&cs[i], begin)
	}
	events := make([]syscall.EpollEvent, conns)
	// done handles one connection's readable socket; it reports an error to reconnect for.
	done := func(c *loopConn) error {
		m, err := syscall.Read(c.fd, c.buf[c.n:])
		switch {
		case err == syscall.EAGAIN || err == syscall.EINTR:
			return nil
		case err != nil:
			return err
		case m == 0:
			return errors.New("connection closed by the server")
		}
		c.n += m
		status, body, complete, err := parseAnswer(c.buf[:c.n])
		if err != nil {
			return err
		}
		if !complete {
			if c.n == len(c.buf) {
				return errors.New("answer larger than the read buffer")
			}
			return nil
		}
		if c.k < 0 {
			return errors.New("answer to no request")
		}
		now := time.Now()
		out.latencies = append(out.latencies, now.Sub(c.t0))
		inFlight--
		switch {
		case status != 200:
			fail(fmt.Sprintf("status %d: %.200s", status, body))
		case !bytes.Contains(body, []byte(want[c.k])):
			fail(fmt.Sprintf("token %d: want %s in %.300s", c.k, want[c.k], body))
		}
		c.k = -1
		if !stopping {
			if d > 0 && now.After(deadline) {
				stopping = true
			} else {
				send(c, now)
			}
		}
		return nil
	}
	err = rc.Read(func(uintptr) bool {
		for inFlight > 0 {
			n, err := syscall.EpollWait(epfd, events, 0)
			if err == syscall.EINTR {
				continue
			}
			if err != nil {
				fail(err.Error())
				return true
			}
			if n == 0 {
				if d > 0 && !stopping && time.Now().After(deadline) {
					stopping = true // no answer is due: nothing else will notice the time
				}
				return false // park in Go's poller until an answer is ready
			}
			for _, ev := range events[:n] {
				c := &cs[ev.Fd]
				if err := done(c); err != nil {
					fail(err.Error())
					if c.k >= 0 {
						inFlight--
					}
					c.close(epfd)
					if err := c.dial(epfd, sa); err != nil {
						fail(err.Error())
						return true
					}
					if !stopping {
						send(c, time.Now())
					}
				}
			}
		}
		return true
	})
	if err != nil {
		fail(err.Error())
	}
	out.elapsed = time.Since(begin)
	out.n = len(out.latencies)
	slices.Sort(out.latencies)
	return out
}

// loopConn is one connection of hammerLoop.
type loopConn struct {
	id  int
	fd  int
	buf []byte    // the answer read so far: buf[:n]
	n   int       //
	k   int       // index of the request in flight, -1 when none
	i   int       // position in the cycle over the requests
	t0  time.Time // when the request in flight was written
}

// dial opens the connection (blocking connect on loopback, then non-blocking) and adds it to
// the epoll set, with its index as the event's data. TCP_NODELAY is set, as Go's net does.
func (c *loopConn) dial(epfd int, sa syscall.Sockaddr) error {
	c.fd, c.n, c.k = -1, 0, -1
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return err
	}
	if err := syscall.SetsockoptInt(fd, syscall.IPPROTO_TCP, syscall.TCP_NODELAY, 1); err != nil {
		syscall.Close(fd)
		return err
	}
	if err := syscall.Connect(fd, sa); err != nil {
		syscall.Close(fd)
		return err
	}
	if err := syscall.SetNonblock(fd, true); err != nil {
		syscall.Close(fd)
		return err
	}
	ev := syscall.EpollEvent{Events: syscall.EPOLLIN, Fd: int32(c.id)}
	if err := syscall.EpollCtl(epfd, syscall.EPOLL_CTL_ADD, fd, &ev); err != nil {
		syscall.Close(fd)
		return err
	}
	c.fd = fd
	return nil
}

func (c *loopConn) close(epfd int) {
	if c.fd > 0 {
		_ = syscall.EpollCtl(epfd, syscall.EPOLL_CTL_DEL, c.fd, nil)
		syscall.Close(c.fd)
	}
	c.fd, c.n, c.k = -1, 0, -1
}

// writeAll writes a request to a non-blocking socket. A request is a few hundred bytes and
// the socket has nothing else queued, so the first write takes it all; EAGAIN is waited out.
func writeAll(fd int, b []byte) error {
	for len(b) > 0 {
		n, err := syscall.Write(fd, b)
		switch {
		case err == syscall.EAGAIN || err == syscall.EINTR:
			time.Sleep(10 * time.Microsecond)
			continue
		case err != nil:
			return err
		}
		b = b[n:]
	}
	return nil
}

func sockaddr(addr string) (syscall.Sockaddr, error) {
	ta, err := net.ResolveTCPAddr("tcp4", addr)
	if err != nil {
		return nil, err
	}
	sa := &syscall.SockaddrInet4{Port: ta.Port}
	copy(sa.Addr[:], ta.IP.To4())
	return sa, nil
}

// parseAnswer reads an HTTP/1.1 answer with a Content-Length (what Fiber sends) from b:
// complete is false while more bytes are needed.
func parseAnswer(b []byte) (status int, body []byte, complete bool, err error) {
	end := bytes.Index(b, []byte("\r\n\r\n"))
	if end < 0 {
		return 0, nil, false, nil
	}
	head := b[:end+2]
	line, rest, _ := bytes.Cut(head, []byte("\r\n"))
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.1 ")) {
		return 0, nil, false, fmt.Errorf("bad status line %q", line)
	}
	if status, err = strconv.Atoi(string(line[9:12])); err != nil {
		return 0, nil, false, err
	}
	length := -1
	for len(rest) > 0 {
		var h []byte
		h, rest, _ = bytes.Cut(rest, []byte("\r\n"))
		if len(h) > 15 && bytes.EqualFold(h[:15], []byte("Content-Length:")) {
			if length, err = strconv.Atoi(string(bytes.TrimSpace(h[15:]))); err != nil {
				return 0, nil, false, err
			}
		}
	}
	if length < 0 {
		return 0, nil, false, errors.New("no Content-Length")
	}
	start := end + 4
	if len(b) < start+length {
		return 0, nil, false, nil
	}
	if len(b) > start+length {
		return 0, nil, false, errors.New("bytes after the answer: none were asked for")
	}
	return status, b[start : start+length], true, nil
}
