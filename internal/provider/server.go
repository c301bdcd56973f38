package provider

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
)

// NewProtocol6Server is the provider's protocol 6 server, as Terraform
// talks to it: the framework's server (providerserver.NewProtocol6) with
// every per-resource call's context detached once the call returns.
//
// The framework (v1.19.0, proto6server's registerContext) keeps the
// cancel function of every call's context until StopProvider, so that
// StopProvider can cancel them; with it, it keeps the whole context,
// which carries the call's loggers: about 15 KiB per call, and a plan of
// 1000 keypairs makes 4000 calls (peak RSS above 140 MiB). Each call here
// gets a context that answers as the call's own while the call runs and
// lets go of it when the call returns, so the framework keeps a few dozen
// bytes per call instead. StopProvider still cancels running calls.
//
// The server keeps every optional protocol interface the framework's has
// (list resources, actions, state stores), so tf6server offers the same
// capabilities either way.
func NewProtocol6Server(version string) func() tfprotov6.ProviderServer {
	return func() tfprotov6.ProviderServer {
		s := providerserver.NewProtocol6(New(version)())()
		if full, ok := s.(frameworkServer); ok {
			return detachingServer{full}
		}
		return s // a framework without those interfaces: served as it is
	}
}

// frameworkServer is every protocol interface the framework's server
// implements.
type frameworkServer interface {
	tfprotov6.ProviderServer
	tfprotov6.ListResourceServer
	tfprotov6.ActionServer
	tfprotov6.StateStoreServer
}

// detachingServer passes each call on with a callContext.
type detachingServer struct {
	frameworkServer
}

// detached calls f with a callContext of ctx, detached when f returns.
func detached[Req, Resp any](ctx context.Context, req Req, f func(context.Context, Req) (Resp, error)) (Resp, error) {
	c := newCallContext(ctx)
	defer c.detach()
	return f(c, req)
}

func (s detachingServer) ValidateResourceConfig(ctx context.Context, req *tfprotov6.ValidateResourceConfigRequest) (*tfprotov6.ValidateResourceConfigResponse, error) {
	return detached(ctx, req, s.frameworkServer.ValidateResourceConfig)
}

func (s detachingServer) UpgradeResourceState(ctx context.Context, req *tfprotov6.UpgradeResourceStateRequest) (*tfprotov6.UpgradeResourceStateResponse, error) {
	return detached(ctx, req, s.frameworkServer.UpgradeResourceState)
}

func (s detachingServer) ReadResource(ctx context.Context, req *tfprotov6.ReadResourceRequest) (*tfprotov6.ReadResourceResponse, error) {
	return detached(ctx, req, s.frameworkServer.ReadResource)
}

func (s detachingServer) PlanResourceChange(ctx context.Context, req *tfprotov6.PlanResourceChangeRequest) (*tfprotov6.PlanResourceChangeResponse, error) {
	return detached(ctx, req, s.frameworkServer.PlanResourceChange)
}

func (s detachingServer) ApplyResourceChange(ctx context.Context, req *tfprotov6.ApplyResourceChangeRequest) (*tfprotov6.ApplyResourceChangeResponse, error) {
	return detached(ctx, req, s.frameworkServer.ApplyResourceChange)
}

func (s detachingServer) ImportResourceState(ctx context.Context, req *tfprotov6.ImportResourceStateRequest) (*tfprotov6.ImportResourceStateResponse, error) {
	return detached(ctx, req, s.frameworkServer.ImportResourceState)
}

func (s detachingServer) MoveResourceState(ctx context.Context, req *tfprotov6.MoveResourceStateRequest) (*tfprotov6.MoveResourceStateResponse, error) {
	return detached(ctx, req, s.frameworkServer.MoveResourceState)
}

func (s detachingServer) UpgradeResourceIdentity(ctx context.Context, req *tfprotov6.UpgradeResourceIdentityRequest) (*tfprotov6.UpgradeResourceIdentityResponse, error) {
	return detached(ctx, req, s.frameworkServer.UpgradeResourceIdentity)
}

func (s detachingServer) ValidateDataResourceConfig(ctx context.Context, req *tfprotov6.ValidateDataResourceConfigRequest) (*tfprotov6.ValidateDataResourceConfigResponse, error) {
	return detached(ctx, req, s.frameworkServer.ValidateDataResourceConfig)
}

func (s detachingServer) ReadDataSource(ctx context.Context, req *tfprotov6.ReadDataSourceRequest) (*tfprotov6.ReadDataSourceResponse, error) {
	return detached(ctx, req, s.frameworkServer.ReadDataSource)
}

func (s detachingServer) CallFunction(ctx context.Context, req *tfprotov6.CallFunctionRequest) (*tfprotov6.CallFunctionResponse, error) {
	return detached(ctx, req, s.frameworkServer.CallFunction)
}

// callContext is one call's context until detach, then a canceled context
// with no values that holds nothing.
type callContext struct {
	ctx atomic.Pointer[context.Context]
}

func newCallContext(ctx context.Context) *callContext {
	c := &callContext{}
	c.ctx.Store(&ctx)
	return c
}

func (c *callContext) detach() { c.ctx.Store(nil) }

func (c *callContext) get() context.Context {
	if p := c.ctx.Load(); p != nil {
		return *p
	}
	return nil
}

var closed = func() chan struct{} { ch := make(chan struct{}); close(ch); return ch }()

func (c *callContext) Deadline() (time.Time, bool) {
	if ctx := c.get(); ctx != nil {
		return ctx.Deadline()
	}
	return time.Time{}, false
}

func (c *callContext) Done() <-chan struct{} {
	if ctx := c.get(); ctx != nil {
		return ctx.Done()
	}
	return closed
}

func (c *callContext) Err() error {
	if ctx := c.get(); ctx != nil {
		return ctx.Err()
	}
	return context.Canceled
}

func (c *callContext) Value(key any) any {
	if ctx := c.get(); ctx != nil {
		return ctx.Value(key)
	}
	return nil
}
