package provider

import (
	"context"
	"errors"
	"runtime"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
)

type ballastKey struct{}

// TestProtocol6Server_releasesCallContexts: the framework keeps every
// call's context until StopProvider; through NewProtocol6Server it keeps
// nothing of it once the call returns. 2000 calls whose contexts carry
// 64 KiB each would keep 125 MiB; the heap may grow by 16 MiB at most.
func TestProtocol6Server_releasesCallContexts(t *testing.T) {
	p := newProtocolServer(t)
	config := p.dynamic(p.keypair(attrs{"name": "deployer", "public_key": testPublicKey}))
	validate := func() {
		ctx := context.WithValue(t.Context(), ballastKey{}, make([]byte, 64<<10))
		resp, err := p.server.ValidateResourceConfig(ctx, &tfprotov6.ValidateResourceConfigRequest{TypeName: keypairTypeName, Config: config})
		if err != nil || len(resp.Diagnostics) > 0 {
			t.Fatalf("ValidateResourceConfig: %v %v", err, formatDiagnostics(resp.Diagnostics))
		}
	}
	validate() // the framework's one-time caches
	before := heapAlloc()
	for range 2000 {
		validate()
	}
	if grew := heapAlloc() - before; grew > 16<<20 {
		t.Errorf("the heap grew by %d MiB over 2000 calls: call contexts are kept", grew>>20)
	}
}

func heapAlloc() int64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapAlloc)
}

// TestCallContext: while the call runs, its context answers as the
// call's own (values, deadline, cancellation); once the call has
// returned, a context kept from it has no values and is canceled.
func TestCallContext(t *testing.T) {
	deadline := time.Now().Add(time.Hour)
	parent, cancel := context.WithDeadline(context.WithValue(t.Context(), ballastKey{}, "value"), deadline)
	defer cancel()

	var kept context.Context
	_, _ = detached(parent, "request", func(ctx context.Context, _ string) (string, error) {
		kept = ctx
		if ctx.Value(ballastKey{}) != "value" {
			t.Error("the call's value is not seen during the call")
		}
		if d, ok := ctx.Deadline(); !ok || !d.Equal(deadline) {
			t.Errorf("deadline %v, %v; want %v", d, ok, deadline)
		}
		if ctx.Err() != nil || ctx.Done() != parent.Done() {
			t.Error("the call's cancellation is not seen during the call")
		}
		child, stop := context.WithCancel(ctx) // as the framework derives its own
		stop()
		if !errors.Is(child.Err(), context.Canceled) {
			t.Error("a context derived during the call cannot be canceled")
		}
		return "", nil
	})
	if kept.Value(ballastKey{}) != nil {
		t.Error("a context kept after the call still reaches the call's values")
	}
	if !errors.Is(kept.Err(), context.Canceled) {
		t.Errorf("a context kept after the call: Err() = %v, want context.Canceled", kept.Err())
	}
	select {
	case <-kept.Done():
	default:
		t.Error("a context kept after the call is not done")
	}
	if _, ok := kept.Deadline(); ok {
		t.Error("a context kept after the call still has the call's deadline")
	}
}
