package provider

import (
	"context"
	"errors"
	"net/http"
	"runtime"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/terraform-provider-nova/terraform-provider-nova/internal/nova/novatest"
)

type ballastKey struct{}

// TestProtocol6Server_releasesCallContexts: the framework keeps every
// call's context until StopProvider; through NewProtocol6Server it keeps
// nothing of it once the call returns. 2000 calls of each kind whose
// contexts carry 64 KiB each would keep 125 MiB; the heap may grow by
// 16 MiB at most.
func TestProtocol6Server_releasesCallContexts(t *testing.T) {
	p := newProtocolServer(t)
	config := p.dynamic(p.keypair(attrs{"name": "deployer", "public_key": testPublicKey}))
	state := p.dynamic(p.nullKeypair())
	ballast := func() context.Context { return context.WithValue(t.Context(), ballastKey{}, make([]byte, 64<<10)) }
	for name, call := range map[string]func() error{
		"ValidateResourceConfig": func() error {
			_, err := p.server.ValidateResourceConfig(ballast(), &tfprotov6.ValidateResourceConfigRequest{TypeName: keypairTypeName, Config: config})
			return err
		},
		"PlanResourceChange": func() error {
			_, err := p.server.PlanResourceChange(ballast(), &tfprotov6.PlanResourceChangeRequest{TypeName: keypairTypeName, PriorState: state, ProposedNewState: config, Config: config})
			return err
		},
		"ReadResource": func() error { // of a removed keypair: nothing to read, no client needed
			_, err := p.server.ReadResource(ballast(), &tfprotov6.ReadResourceRequest{TypeName: keypairTypeName, CurrentState: state})
			return err
		},
	} {
		if err := call(); err != nil { // the framework's one-time caches
			t.Fatalf("%s: %v", name, err)
		}
		before := heapAlloc()
		for range 2000 {
			if err := call(); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
		}
		if grew := heapAlloc() - before; grew > 16<<20 {
			t.Errorf("%s: the heap grew by %d MiB over 2000 calls: call contexts are kept", name, grew>>20)
		}
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

// TestProtocol6Server_keepsOptionalInterfaces: the server offers every
// optional protocol interface the framework's server does, so that list
// resources, actions and state stores reach the framework.
func TestProtocol6Server_keepsOptionalInterfaces(t *testing.T) {
	framework := providerserver.NewProtocol6(New("test")())()
	ours := NewProtocol6Server("test")()
	for name, implements := range map[string]func(tfprotov6.ProviderServer) bool{
		"ListResourceServer": func(s tfprotov6.ProviderServer) bool {
			_, ok := s.(tfprotov6.ListResourceServer)
			return ok
		},
		"ActionServer": func(s tfprotov6.ProviderServer) bool {
			_, ok := s.(tfprotov6.ActionServer)
			return ok
		},
		"StateStoreServer": func(s tfprotov6.ProviderServer) bool {
			_, ok := s.(tfprotov6.StateStoreServer)
			return ok
		},
	} {
		if implements(framework) && !implements(ours) {
			t.Errorf("the framework's server is a %s; NewProtocol6Server's is not", name)
		}
	}
	if _, ok := ours.(detachingServer); !ok {
		t.Errorf("NewProtocol6Server serves a %T, not the detaching server", ours)
	}
}

// TestProtocol6Server_stopCancelsRunningCalls: StopProvider (Terraform's
// Ctrl-C) still cancels a call in progress: a refresh waiting on a list
// Nova does not answer returns at once.
func TestProtocol6Server_stopCancelsRunningCalls(t *testing.T) {
	cloud := novatest.NewCloud(t)
	state := seedNumbered(cloud, 1)[0]
	listing := make(chan struct{})
	cloud.On(http.MethodGet, "/os-keypairs", func(_ http.ResponseWriter, r *http.Request, n int) bool {
		if n == 1 {
			close(listing)
		}
		<-r.Context().Done()
		return true
	})
	p := configuredServer(t, cloud, nil)
	done := make(chan *tfprotov6.ReadResourceResponse)
	go func() {
		resp, _ := p.server.ReadResource(t.Context(), &tfprotov6.ReadResourceRequest{TypeName: keypairTypeName, CurrentState: p.dynamic(p.keypair(state))})
		done <- resp
	}()
	<-listing
	if _, err := p.server.StopProvider(t.Context(), &tfprotov6.StopProviderRequest{}); err != nil {
		t.Fatal(err)
	}
	select {
	case resp := <-done:
		requireError(t, resp.Diagnostics, "", `Unable to read keypair "kp-000"`, "context canceled")
	case <-time.After(10 * time.Second):
		t.Fatal("the refresh still runs 10 s after StopProvider")
	}
}
