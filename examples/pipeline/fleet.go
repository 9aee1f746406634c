package main

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"time"
)

// fixInterval is how often a truck sends a GPS fix.
const fixInterval = 10 * time.Second

// speedLimit is the speed, in km/h, above which a fix counts as speeding.
const speedLimit = 100

// fix is one GPS fix as a truck sends it: JSON, keyed by the truck's ID.
type fix struct {
	Truck string    `json:"truck"`
	N     int       `json:"n"` // the truck's fix counter, from 0
	Time  time.Time `json:"time"`
	Lat   float64   `json:"lat"`
	Lon   float64   `json:"lon"`
	Speed float64   `json:"speedKmh"`
	// Meters is the distance driven since the truck's previous fix.
	Meters float64 `json:"meters"`
}

// fixID names a fix: its truck and counter.
type fixID struct {
	truck string
	n     int
}

// truck drives at a speed that wanders between 50 and 120 km/h.
type truck struct {
	id       string
	lat, lon float64
	speed    float64
	sent     int
}

// fleet is the trucks of the example and what their fixes must add up to
// downstream.
type fleet struct {
	trucks []*truck
	rng    *rand.Rand

	fixes    int
	speeding map[fixID]bool                   // the fixes above the limit
	distance map[string]map[time.Time]float64 // meters per truck and minute
}

// newFleet returns n trucks at their depots.
func newFleet(n int, seed uint64) *fleet {
	f := &fleet{rng: rand.New(rand.NewPCG(seed, 1)), speeding: map[fixID]bool{}, distance: map[string]map[time.Time]float64{}}
	for i := range n {
		t := &truck{id: fmt.Sprintf("truck-%02d", i+1), lat: 47.6 + f.rng.Float64(), lon: -122.3 - f.rng.Float64(), speed: 60 + 40*f.rng.Float64()}
		f.trucks = append(f.trucks, t)
		f.distance[t.id] = map[time.Time]float64{}
	}
	return f
}

// drive moves every truck on by one fix interval ending at now and
// returns their fixes, JSON-encoded, keyed by truck.
func (f *fleet) drive(now time.Time) (keys []string, data [][]byte) {
	for _, t := range f.trucks {
		t.speed = min(max(t.speed+f.rng.NormFloat64()*6, 50), 120)
		meters := t.speed / 3.6 * fixInterval.Seconds()
		t.lat += meters / 111_000 * 0.6
		t.lon += meters / 75_000 * 0.8
		fx := fix{Truck: t.id, N: t.sent, Time: now, Lat: t.lat, Lon: t.lon, Speed: t.speed, Meters: meters}
		t.sent++
		f.fixes++
		if fx.Speed > speedLimit {
			f.speeding[fixID{t.id, fx.N}] = true
		}
		f.distance[t.id][now.Truncate(time.Minute)] += meters
		b, err := json.Marshal(fx)
		if err != nil {
			panic(err) // a fix always encodes
		}
		keys, data = append(keys, t.id), append(data, b)
	}
	return keys, data
}
