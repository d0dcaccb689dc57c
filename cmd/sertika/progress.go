package main

import (
	"fmt"
	"io"
	"os"
	"time"
)

// progress reports the advance of long work (imports, seeding, later batch issuance and
// rescoring) on standard error: on a terminal one line rewritten at most ten times a second,
// otherwise (logs, CI) a plain line at each quarter so logs stay readable.
type progress struct {
	w       io.Writer
	label   string
	tty     bool
	last    time.Time
	quarter int
	printed bool
}

func newProgress(w io.Writer, label string) *progress {
	p := &progress{w: w, label: label}
	if f, ok := w.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			p.tty = true
		}
	}
	return p
}

// update reports done of total.
func (p *progress) update(done, total int) {
	if total <= 0 {
		return
	}
	if p.tty {
		if done != total && time.Since(p.last) < 100*time.Millisecond {
			return
		}
		p.last = time.Now()
		p.printed = true
		fmt.Fprintf(p.w, "\r%s: %d/%d (%d%%)", p.label, done, total, 100*done/total)
		return
	}
	if q := 4 * done / total; q > p.quarter || (done == 0 && !p.printed) {
		p.quarter = q
		p.printed = true
		fmt.Fprintf(p.w, "%s: %d/%d (%d%%)\n", p.label, done, total, 100*done/total)
	}
}

// finish ends the progress line.
func (p *progress) finish() {
	if p.tty && p.printed {
		fmt.Fprintln(p.w)
	}
}
