package main

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kdsgo/kds/compat/internal/load"
)

// result is a scenario's outcome: named figures in a fixed order, and a
// sentence for humans.
type result struct {
	fields []string
	human  string
}

// add appends the figure name=value; floats get three decimals.
func (r *result) add(name string, value any) {
	if f, ok := value.(float64); ok {
		value = strconv.FormatFloat(f, 'f', 3, 64)
	}
	r.fields = append(r.fields, fmt.Sprintf("%s=%v", name, value))
}

// line is the machine-readable form: scenario=... endpoint=... then the
// figures.
func (r *result) line(scenario, endpoint string) string {
	return "scenario=" + scenario + " endpoint=" + endpoint + " " + strings.Join(r.fields, " ")
}

// latencies adds median, p90 and p99 of d, in milliseconds, to r.
func (r *result) latencies(d []time.Duration) {
	slices.Sort(d)
	for _, p := range []float64{50, 90, 99} {
		r.add(fmt.Sprintf("p%g_ms", p), float64(load.Percentile(d, p))/1e6)
	}
}

// cpuMeter measures the CPU time (user + system, all threads) that the
// server process, if its pid is known, and this client process use
// between begin and report.
type cpuMeter struct {
	serverPID      int
	server, client time.Duration
}

// begin records the CPU time used so far.
func (m *cpuMeter) begin() error {
	var serverErr, clientErr error
	if m.serverPID != 0 {
		m.server, serverErr = processCPU(m.serverPID)
	}
	m.client, clientErr = processCPU(os.Getpid())
	return cmp.Or(serverErr, clientErr)
}

// report adds the CPU time used since begin, in total and per unit (e.g.
// "call" or "record"), to r: the server's, if its pid is known, and the
// client's.
func (m *cpuMeter) report(r *result, units int, unit string) error {
	perUnit := func(d time.Duration) float64 { return float64(d.Microseconds()) / float64(max(units, 1)) }
	if m.serverPID != 0 {
		t, err := processCPU(m.serverPID)
		if err != nil {
			return err
		}
		r.add("server_cpu_s", (t - m.server).Seconds())
		r.add("server_cpu_us_per_"+unit, perUnit(t-m.server))
	}
	t, err := processCPU(os.Getpid())
	if err != nil {
		return err
	}
	r.add("client_cpu_s", (t - m.client).Seconds())
	r.add("client_cpu_us_per_"+unit, perUnit(t-m.client))
	r.add("clk_tck", clockTicks())
	return nil
}

// processCPU reads utime + stime of pid from /proc/PID/stat.
func processCPU(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The command name, field 2, is parenthesised and may hold spaces;
	// the fields after it start with field 3 (state). utime and stime
	// are fields 14 and 15.
	rest := b[bytes.LastIndexByte(b, ')')+1:]
	f := strings.Fields(string(rest))
	if len(f) < 13 {
		return 0, fmt.Errorf("/proc/%d/stat: too few fields", pid)
	}
	var ticks int64
	for _, s := range f[11:13] {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("/proc/%d/stat: %v", pid, err)
		}
		ticks += n
	}
	return time.Duration(ticks) * time.Second / time.Duration(clockTicks()), nil
}

// atClkTck is the auxiliary-vector entry that carries sysconf(_SC_CLK_TCK).
const atClkTck = 17

// clockTicks returns the kernel's clock ticks per second, the unit of
// /proc/PID/stat's times, as the kernel passes it to every process in its
// auxiliary vector (what sysconf(_SC_CLK_TCK) reads). It falls back to
// 100, the value on Linux x86, if /proc/self/auxv cannot be read.
func clockTicks() int64 {
	b, err := os.ReadFile("/proc/self/auxv")
	if err != nil {
		return 100
	}
	word := strconv.IntSize / 8
	for i := 0; i+2*word <= len(b); i += 2 * word {
		key, val := auxWord(b[i:], word), auxWord(b[i+word:], word)
		if key == atClkTck && val > 0 {
			return int64(val)
		}
	}
	return 100
}

// auxWord decodes one native-endian word of size bytes.
func auxWord(b []byte, size int) uint64 {
	if size == 4 {
		return uint64(binary.NativeEndian.Uint32(b))
	}
	return binary.NativeEndian.Uint64(b)
}
