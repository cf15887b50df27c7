package bench

import (
	"bufio"
	"fmt"
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"time"
)

// latencies are request durations.
type latencies []time.Duration

// percentile returns the p-th percentile (nearest rank) of l.
func (l latencies) percentile(p float64) time.Duration {
	if len(l) == 0 {
		return 0
	}
	s := slices.Clone(l)
	slices.Sort(s)
	i := int(math.Ceil(p/100*float64(len(s)))) - 1
	return s[min(max(i, 0), len(s)-1)]
}

func (l latencies) summary() string {
	if len(l) == 0 {
		return "no samples"
	}
	return fmt.Sprintf("p50 %s  p95 %s  p99 %s  max %s", ms(l.percentile(50)), ms(l.percentile(95)), ms(l.percentile(99)), ms(l.percentile(100)))
}

func (l latencies) summaryMax() string {
	if len(l) == 0 {
		return "no samples"
	}
	return fmt.Sprintf("p50 %s  p95 %s  max %s", ms(l.percentile(50)), ms(l.percentile(95)), ms(l.percentile(100)))
}

func goroutines(n int) string {
	if n == 1 {
		return "1 goroutine"
	}
	return strconv.Itoa(n) + " goroutines"
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d.Microseconds())/1000) }

func secs(d time.Duration) string { return fmt.Sprintf("%.2f s", d.Seconds()) }

// machine prints what the figures were measured on.
func (b *bench) machine() {
	b.section("Machine")
	b.printf("CPUs: %d   %s/%s   %s\n", runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, runtime.Version())
	b.printf("CPU model: %s\n", cpuModel())
	b.printf("commit: %s\n", commit())
	b.printf("load average at start: %s (other work on the machine skews every figure)\n", loadAverage())
	b.printf("client and server share this machine; the server is a child process on loopback\n")
}

// commit is the VCS revision the running binary was built from, as Go records it.
func commit() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	rev, dirty := "unknown (built without VCS information)", false
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value[:min(len(s.Value), 12)]
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if dirty {
		rev += " with uncommitted changes"
	}
	return rev
}

// loadAverage is the 1, 5 and 15 minute load average, from /proc/loadavg.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(b)); err == nil && len(f) >= 3 {
		return strings.Join(f[:3], " ")
	}
	return "unknown"
}

// cpuModel is the processor name from /proc/cpuinfo.
func cpuModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return "unknown"
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}

// metOrNot words whether a goal was met.
func metOrNot(ok bool) string {
	if ok {
		return "met"
	}
	return "NOT met"
}
