// Package novatest is a fake OpenStack cloud for unit tests: one
// httptest server that is both Keystone (POST /v3/auth/tokens) and the Nova
// compute API's keypair calls (/v2.1/os-keypairs..., and the legacy
// /v2/os-keypairs and /v2/{project_id}/os-keypairs), plus a recording
// http.RoundTripper to put under a client.
//
// The fake answers the way a real Nova 26.2.2 (Zed, microversions 2.1 to
// 2.93) and Keystone 22 answered the requests recorded in
// testdata/nova-26.2.2-keypairs.md, one "### heading" per exchange. Each
// answer in the source names the recording it follows in a comment
// ("Recording:" and the heading in double quotes); answers that no
// recording shows say so. The
// package's own test replays the recordings against the fake and compares
// status, microversion headers and JSON bodies, so the fake cannot drift
// from the evidence unnoticed.
//
// Typical use:
//
//	cloud := novatest.NewCloud(t)
//	cloud.Seed(novatest.UserID, "deployer", novatest.PublicKey)
//	// authenticate with auth_url = cloud.URL() + "/v3", user
//	// novatest.UserName, password novatest.Password, project
//	// novatest.ProjectName; Nova is in the catalog at cloud.URL() + "/v2.1".
//
// Faults that no recording shows (a 503, a dropped connection) are injected
// with hooks: cloud.On("POST", "/os-keypairs", novatest.FailFirst(1,
// novatest.ResetConnection)).
//
// novatest does not import package nova (whose own tests import novatest);
// it has its own microversion parsing.
package novatest
