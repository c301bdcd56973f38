package nova

import (
	"context"
	"errors"

	"golang.org/x/sync/singleflight"
)

// shared runs fn once for every concurrent caller of key in g: the first
// caller runs it with its context, the others wait for its result or for
// their own context to end. A result that is only the first caller's
// context ending (its Ctrl-C or timeout) is not handed to the others,
// whose contexts are still live: they run fn again.
func shared[T any](ctx context.Context, g *singleflight.Group, key string, fn func(context.Context) (T, error)) (T, error) {
	for {
		ch := g.DoChan(key, func() (any, error) { return fn(ctx) })
		select {
		case <-ctx.Done():
			var zero T
			return zero, ctx.Err()
		case r := <-ch:
			if r.Err != nil && ctx.Err() == nil && (errors.Is(r.Err, context.Canceled) || errors.Is(r.Err, context.DeadlineExceeded)) {
				continue
			}
			v, _ := r.Val.(T)
			return v, r.Err
		}
	}
}
