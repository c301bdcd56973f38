// Command terraform-provider-nova is the Terraform provider for OpenStack
// Nova keypairs; Terraform starts it as a plugin (protocol 6). With -debug
// it runs standalone for a debugger and prints TF_REATTACH_PROVIDERS.
package main

import (
	"flag"
	"log"
	"os"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"

	"github.com/terraform-provider-nova/terraform-provider-nova/internal/provider"
)

// version is set by the release build: -ldflags "-X main.version=1.2.3".
var version = "dev"

// address is the provider's registry address.
const address = "registry.terraform.io/terraform-provider-nova/nova"

func main() {
	var debug bool
	flag.BoolVar(&debug, "debug", false, "run the provider with support for debuggers like delve")
	flag.Parse()

	var opts []tf6server.ServeOpt
	if debug {
		opts = append(opts, tf6server.WithManagedDebug())
	} else {
		quietUnlessLogged(os.Getenv, os.Setenv)
	}
	if err := tf6server.Serve(address, provider.NewProtocol6Server(version), opts...); err != nil {
		log.Fatal(err.Error())
	}
}

// sdkLogLevels are the variables that set the levels of the plugin
// SDKs' loggers (terraform-plugin-go, its protocol subsystem, the
// framework) and of the provider's own (tflog).
var sdkLogLevels = []string{"TF_LOG_SDK", "TF_LOG_SDK_PROTO", "TF_LOG_SDK_FRAMEWORK", "TF_LOG_PROVIDER"}

// quietUnlessLogged turns the provider's logs off when Terraform will
// discard them: Terraform (and OpenTofu) show a provider's log lines only
// when TF_LOG or TF_LOG_PROVIDER asks for them, but the SDKs log at TRACE
// unless told otherwise, and formatting those discarded lines was a
// quarter of the provider's CPU. A level the user set is kept.
func quietUnlessLogged(getenv func(string) string, setenv func(string, string) error) {
	if getenv("TF_LOG") != "" || getenv("TF_LOG_PROVIDER") != "" {
		return
	}
	for _, name := range sdkLogLevels {
		if getenv(name) == "" {
			_ = setenv(name, "OFF")
		}
	}
}
