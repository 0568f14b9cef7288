package dialer

// table holds the pacer's calls or agents by ID in a slice, so that
// decisions walk them in a fixed order (a map's random order would change
// floating-point sums, and a seed would no longer give the same shift) and
// quickly.
type table[K comparable, V any] struct {
	index map[K]int
	keys  []K
	vals  []V
}

func newTable[K comparable, V any]() *table[K, V] {
	return &table[K, V]{index: map[K]int{}}
}

// get returns a pointer to the value for k, or nil.
func (t *table[K, V]) get(k K) *V {
	if i, ok := t.index[k]; ok {
		return &t.vals[i]
	}
	return nil
}

// put sets the value for k.
func (t *table[K, V]) put(k K, v V) {
	if i, ok := t.index[k]; ok {
		t.vals[i] = v
		return
	}
	t.index[k] = len(t.vals)
	t.keys = append(t.keys, k)
	t.vals = append(t.vals, v)
}

// remove deletes k, moving the last entry into its place.
func (t *table[K, V]) remove(k K) {
	i, ok := t.index[k]
	if !ok {
		return
	}
	last := len(t.vals) - 1
	t.keys[i], t.vals[i] = t.keys[last], t.vals[last]
	t.index[t.keys[i]] = i
	t.keys, t.vals = t.keys[:last], t.vals[:last]
	delete(t.index, k)
}

func (t *table[K, V]) len() int { return len(t.vals) }
