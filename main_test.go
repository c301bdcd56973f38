package main

import (
	"maps"
	"testing"
)

// TestQuietUnlessLogged: the SDKs' log levels are set to OFF only when
// Terraform will not show the provider's logs, and never over a level
// the user set.
func TestQuietUnlessLogged(t *testing.T) {
	off := map[string]string{"TF_LOG_SDK": "OFF", "TF_LOG_SDK_PROTO": "OFF", "TF_LOG_SDK_FRAMEWORK": "OFF", "TF_LOG_PROVIDER": "OFF"}
	for _, tc := range []struct {
		what     string
		env, set map[string]string
	}{
		{"no TF_LOG", map[string]string{}, off},
		{"only core logs", map[string]string{"TF_LOG_CORE": "TRACE"}, off},
		{"TF_LOG", map[string]string{"TF_LOG": "DEBUG"}, map[string]string{}},
		{"TF_LOG=JSON", map[string]string{"TF_LOG": "JSON"}, map[string]string{}},
		{"TF_LOG_PROVIDER", map[string]string{"TF_LOG_PROVIDER": "TRACE"}, map[string]string{}},
		{"a level the user set", map[string]string{"TF_LOG_SDK_FRAMEWORK": "TRACE"},
			map[string]string{"TF_LOG_SDK": "OFF", "TF_LOG_SDK_PROTO": "OFF", "TF_LOG_PROVIDER": "OFF"}},
	} {
		set := map[string]string{}
		quietUnlessLogged(func(k string) string { return tc.env[k] }, func(k, v string) error { set[k] = v; return nil })
		if !maps.Equal(set, tc.set) {
			t.Errorf("%s: set %v, want %v", tc.what, set, tc.set)
		}
	}
}
