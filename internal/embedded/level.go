package embedded

import (
	"context"
	"log/slog"
)

// levelFilter drops records below a minimum level before they reach the wrapped handler. The
// store derives a logger with attributes for every connection and command, almost none of which
// ever logs at the kept level, so attributes and groups are only applied to the wrapped handler
// when a record passes.
type levelFilter struct {
	h     slog.Handler
	min   slog.Level
	steps []func(slog.Handler) slog.Handler // WithAttrs and WithGroup calls, in order
}

func (f levelFilter) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= f.min && f.h.Enabled(ctx, l)
}

func (f levelFilter) Handle(ctx context.Context, r slog.Record) error {
	h := f.h
	for _, step := range f.steps {
		h = step(h)
	}
	return h.Handle(ctx, r)
}

func (f levelFilter) WithAttrs(a []slog.Attr) slog.Handler {
	return f.with(func(h slog.Handler) slog.Handler { return h.WithAttrs(a) })
}

func (f levelFilter) WithGroup(name string) slog.Handler {
	return f.with(func(h slog.Handler) slog.Handler { return h.WithGroup(name) })
}

func (f levelFilter) with(step func(slog.Handler) slog.Handler) levelFilter {
	steps := make([]func(slog.Handler) slog.Handler, len(f.steps), len(f.steps)+1)
	copy(steps, f.steps)
	f.steps = append(steps, step)
	return f
}
