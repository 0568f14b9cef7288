package messaging

import (
	"context"
	"fmt"
	"os"
	"sync"

	"github.com/bankcc/callcenter/store"
)

// attachmentCache keeps the files e-mail campaigns attach, read once per
// document: an upload never changes, and a campaign sends the same files
// to thousands of contacts. It holds at most attachmentCacheBytes; past
// that it starts over.
type attachmentCache struct {
	mu    sync.Mutex
	files map[int64]Attachment
	size  int64
}

const attachmentCacheBytes = 64 << 20

// DocumentStore reads documents.
type DocumentStore interface {
	GetDocument(ctx context.Context, id int64) (*store.Document, error)
}

// load returns the documents ids as attachments, in order. A document
// that cannot be attached (removed, or uploaded before originals were kept)
// is an error naming it: the message is not sent without its attachment.
func (c *attachmentCache) load(ctx context.Context, st DocumentStore, ids []int64) ([]Attachment, error) {
	var out []Attachment
	for _, id := range ids {
		a, err := c.get(ctx, st, id)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}

func (c *attachmentCache) get(ctx context.Context, st DocumentStore, id int64) (Attachment, error) {
	c.mu.Lock()
	a, ok := c.files[id]
	c.mu.Unlock()
	if ok {
		return a, nil
	}
	a, err := LoadAttachment(ctx, st, id)
	if err != nil {
		return a, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.files == nil || c.size+int64(len(a.Data)) > attachmentCacheBytes {
		c.files, c.size = map[int64]Attachment{}, 0
	}
	c.files[id] = a
	c.size += int64(len(a.Data))
	return a, nil
}

// LoadAttachment reads an uploaded document as an e-mail attachment.
func LoadAttachment(ctx context.Context, st DocumentStore, id int64) (Attachment, error) {
	d, err := st.GetDocument(ctx, id)
	if err != nil {
		return Attachment{}, fmt.Errorf("%w: attachment %d: %v", ErrBadMessage, id, err)
	}
	if !d.Attachable() {
		return Attachment{}, fmt.Errorf("%w: document %d (%s) cannot be attached: upload it again", ErrBadMessage, id, d.Name)
	}
	data, err := os.ReadFile(d.Source)
	if err != nil {
		return Attachment{}, fmt.Errorf("messaging: attachment %d (%s): %w", id, d.Name, err)
	}
	return Attachment{Name: d.Name, ContentType: d.ContentType, Data: data}, nil
}
