package qr

import "container/list"

// cacheKey identifies one rendered code; size is zero for SVG.
type cacheKey struct {
	content string
	format  format
	size    int
}

// entry is the value stored in lru.order.
type entry struct {
	key  cacheKey
	data []byte
}

// lru is a fixed-capacity least-recently-used cache. It is not safe for
// concurrent use; Generator guards it with a mutex. The zero value has
// capacity zero and stores nothing.
type lru struct {
	capacity int
	order    list.List // front = most recently used; values are *entry
	items    map[cacheKey]*list.Element
}

// newLRU returns an empty cache holding at most capacity entries.
func newLRU(capacity int) lru {
	return lru{capacity: capacity, items: make(map[cacheKey]*list.Element)}
}

// get returns the value for k and marks it most recently used.
func (c *lru) get(k cacheKey) ([]byte, bool) {
	el, ok := c.items[k]
	if !ok {
		return nil, false
	}
	c.order.MoveToFront(el)
	return el.Value.(*entry).data, true
}

// put stores v under k, evicting the least recently used entry when full.
func (c *lru) put(k cacheKey, v []byte) {
	if c.capacity <= 0 {
		return
	}
	if el, ok := c.items[k]; ok {
		el.Value.(*entry).data = v
		c.order.MoveToFront(el)
		return
	}
	if c.order.Len() >= c.capacity {
		c.evictOldest()
	}
	c.items[k] = c.order.PushFront(&entry{key: k, data: v})
}

// evictOldest drops the least recently used entry.
func (c *lru) evictOldest() {
	el := c.order.Back()
	if el == nil {
		return
	}
	c.order.Remove(el)
	delete(c.items, el.Value.(*entry).key)
}

// len reports the number of cached entries.
func (c *lru) len() int { return c.order.Len() }
