package nova

import (
	"context"
	"errors"

	"golang.org/x/sync/singleflight"
)

// shared runs fn once for every concurrent caller of key in g: the first
// caller runs it with its context, the others wait for its result or for
// their own context to end. When fn failed because the first caller's
// context ended (its Ctrl-C or timeout), the others, whose contexts are
// live, run fn again; any other failure, a transport timeout included,
// is every waiting caller's result.
func shared[T any](ctx context.Context, g *singleflight.Group, key string, fn func(context.Context) (T, error)) (T, error) {
	for {
		ch := g.DoChan(key, func() (any, error) {
			v, err := fn(ctx)
			if err != nil && ctx.Err() != nil {
				err = &abandonedError{err}
			}
			return v, err
		})
		select {
		case <-ctx.Done():
			var zero T
			return zero, ctx.Err()
		case r := <-ch:
			var abandoned *abandonedError
			if errors.As(r.Err, &abandoned) {
				if ctx.Err() == nil {
					continue // another caller's context ended, not ours
				}
				r.Err = abandoned.err
			}
			v, _ := r.Val.(T)
			return v, r.Err
		}
	}
}

// abandonedError is the failure of a shared call whose first caller's
// context ended while it ran.
type abandonedError struct{ err error }

func (e *abandonedError) Error() string { return e.err.Error() }

func (e *abandonedError) Unwrap() error { return e.err }
