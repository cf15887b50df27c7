package bench

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// flags are the settings of `hailong bench`.
type flags struct {
	clients, tickets, rate, rateSeconds int
	instances                           int
	storeURI                            string
	scales                              []int
	skipStats, statsOnly, keep          bool
	out, storeSync, statsData           string
	storeFor, qrFor                     time.Duration
}

func parseFlags(args []string, stderr io.Writer) (*flags, error) {
	o := &flags{}
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.IntVar(&o.clients, "clients", 64, "concurrent HTTP clients")
	fs.IntVar(&o.tickets, "tickets", 20000, "tickets to issue, then answer")
	fs.IntVar(&o.rate, "rate", 1000, "submissions per second in the fixed-rate phase")
	fs.IntVar(&o.rateSeconds, "rate-seconds", 10, "length of the fixed-rate phase")
	scales := fs.String("stats-scales", "10000,1000000,10000000", "comma-separated response counts for the stats query phase")
	fs.BoolVar(&o.skipStats, "skip-stats", false, "skip the stats query phase")
	fs.BoolVar(&o.statsOnly, "stats-only", false, "run only the stats query phase")
	fs.StringVar(&o.out, "out", "", "also write the report to this file")
	fs.StringVar(&o.storeURI, "store-uri", "", "run the server phases on this MongoDB (or Mongo-wire) store instead of the embedded one, in a database of its own; the stats phase is skipped")
	fs.IntVar(&o.instances, "instances", 1, "servers sharing the store, the load spread over them (more than 1 needs --store-uri)")
	fs.StringVar(&o.storeSync, "store-sync", "full", "HAILONG_STORE_SYNC for the server: full or normal")
	fs.BoolVar(&o.keep, "keep", false, "keep the temporary data directories")
	fs.StringVar(&o.statsData, "stats-data", "", "keep the stats phase's loaded data under this directory and reuse it on the next run (loading 1 million responses takes minutes)")
	fs.DurationVar(&o.storeFor, "store-for", 5*time.Second, "length of each raw store insert phase")
	fs.DurationVar(&o.qrFor, "qr-for", 2*time.Second, "length of each QR rendering phase")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if o.storeSync != "full" && o.storeSync != "normal" {
		return nil, fmt.Errorf("bench: --store-sync %q must be full or normal", o.storeSync)
	}
	if o.clients < 1 || o.tickets < 1 || o.rate < 1 || o.rateSeconds < 1 {
		return nil, errors.New("bench: --clients, --tickets, --rate and --rate-seconds must be at least 1")
	}
	if o.instances < 1 || (o.instances > 1 && o.storeURI == "") {
		return nil, errors.New("bench: --instances must be 1, or more with --store-uri")
	}
	if o.storeURI != "" {
		o.skipStats = true
	}
	var err error
	o.scales, err = parseScales(*scales)
	return o, err
}

func parseScales(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("bench: --stats-scales: %q is not a positive whole number", f)
		}
		out = append(out, n)
	}
	return out, nil
}
