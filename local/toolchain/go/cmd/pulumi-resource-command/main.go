// pulumi-resource-command: a minimal stand-in for the `command` provider (pulumi-command v1.2.1) that implements
// command:local:Command as the npm package @pulumi/command 1.2.1 declares it.
//
// The upstream Go module (github.com/pulumi/pulumi-command/provider) is not served by the Go module mirror this
// project builds from. See docs/toolchain-plugins.md for what is and is not implemented.
package main

import (
	"flag"
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/cmdutil"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/logging"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
)

// commandVersion is the pulumi-command release this provider stands in for; the build sets it from
// toolchain/versions.json with -X main.commandVersion=<version>.
var commandVersion = "1.2.1"

func main() {
	// -v and --logtostderr, which the engine passes when it flows logging, are glog flags registered by the
	// logging package; --tracing is accepted and ignored.
	flag.String("tracing", "", "Emit tracing to a Zipkin-compatible tracing endpoint (ignored)")
	flag.Parse()
	logging.InitLogging(false, 0, false)

	// The engine passes its own address as the only positional argument; output lines are logged there.
	var engineAddress string
	if args := flag.Args(); len(args) > 0 {
		engineAddress = args[0]
	}
	provider, err := newCommandProvider(engineAddress)
	if err != nil {
		cmdutil.Exit(err)
	}
	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterResourceProviderServer(srv, plugin.NewProviderServer(provider))
			return nil
		},
	})
	if err != nil {
		cmdutil.Exit(fmt.Errorf("could not start the provider RPC server: %w", err))
	}

	// Plugin handshake: the engine reads the port from the first line of stdout.
	fmt.Printf("%d\n", handle.Port)

	if err := <-handle.Done; err != nil {
		cmdutil.Exit(fmt.Errorf("provider RPC stopped serving: %w", err))
	}
}
