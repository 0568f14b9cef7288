package controller

import "fmt"

// channelRoom is the pool's channel capacity as the lanes share it, worked
// out once per grant (shares cost O(lanes)).
type channelRoom struct {
	capacity, used int // capacity 0: some node is unlimited, shares do not apply
	shares         map[*lane]float64
	reserved       float64 // sum over the active lanes of their unused shares
}

func (s *scheduler) channelRoom() channelRoom {
	var r channelRoom
	r.capacity, r.used = s.channels()
	if r.capacity <= 0 {
		return r
	}
	var active []*lane
	for _, l := range s.lanes {
		if l.active() {
			active = append(active, l)
		}
	}
	r.shares = laneShares(r.capacity, active)
	for _, l := range active {
		r.reserved += max(r.shares[l]-float64(l.live.Load()), 0)
	}
	return r
}

// admit checks a lane's own channel cap and its weighted share of the
// pool's channels: under its share it may take a free channel; over it,
// only one the other lanes' unused shares leave free.
func (r channelRoom) admit(l *lane) error {
	live := l.live.Load()
	if c := l.cfg.MaxChannels; c > 0 && live >= int64(c) {
		return fmt.Errorf("%w: campaign %d uses its %d channels", ErrNoCapacity, l.cfg.CampaignID, c)
	}
	if r.capacity <= 0 {
		return nil
	}
	share := r.shares[l]
	if float64(live) < share {
		return nil
	}
	othersReserved := r.reserved - max(share-float64(live), 0)
	if float64(r.capacity-r.used) > othersReserved {
		return nil
	}
	return fmt.Errorf("%w: campaign %d is at its share of the channels", ErrNoCapacity, l.cfg.CampaignID)
}

// channels is the pool's channel capacity and use over the nodes that are
// up; capacity 0 when some node has no limit (shares do not apply).
func (s *scheduler) channels() (capacity, used int) {
	for _, n := range s.nodes {
		if !n.up() {
			continue
		}
		if n.cfg.MaxChannels <= 0 {
			return 0, 0
		}
		capacity += n.cfg.MaxChannels
		used += n.cfg.MaxChannels - n.headroom()
	}
	return capacity, used
}

// laneShares divides capacity among the active lanes by weight, each at
// most its own MaxChannels, handing what a capped lane cannot use to the
// others (water-filling).
func laneShares(capacity int, lanes []*lane) map[*lane]float64 {
	shares := make(map[*lane]float64, len(lanes))
	open := append([]*lane(nil), lanes...)
	left := float64(capacity)
	for len(open) > 0 && left > 0 {
		var weight float64
		for _, l := range open {
			weight += l.cfg.weight()
		}
		capped := false
		rest := open[:0]
		for _, l := range open {
			s := left * l.cfg.weight() / weight
			if c := float64(l.cfg.MaxChannels); c > 0 && shares[l]+s >= c {
				left -= c - shares[l]
				shares[l] = c
				capped = true
				continue
			}
			rest = append(rest, l)
		}
		if !capped {
			for _, l := range rest {
				shares[l] += left * l.cfg.weight() / weight
			}
			return shares
		}
		open = rest
	}
	return shares
}
