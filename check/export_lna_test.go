package check

import (
	"context"
	"net/netip"
)

// SetResolver replaces the resolver Local Network Access looks page and
// target names up with, for the whole test binary (set it in an init
// function, before any test runs).
func SetResolver(lookup func(ctx context.Context, host string) ([]netip.Addr, error)) {
	resolver = lookupFunc(lookup)
}

type lookupFunc func(ctx context.Context, host string) ([]netip.Addr, error)

func (f lookupFunc) LookupNetIP(ctx context.Context, _, host string) ([]netip.Addr, error) {
	return f(ctx, host)
}
