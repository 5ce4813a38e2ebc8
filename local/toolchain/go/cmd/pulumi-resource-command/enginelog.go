package main

import (
	"context"
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

// engineLog sends messages to the engine's Log service; without an engine address it drops them.
type engineLog struct {
	client pulumirpc.EngineClient
}

func newEngineLog(address string) (*engineLog, error) {
	if address == "" {
		return &engineLog{}, nil
	}
	conn, err := grpc.NewClient(address,
		grpc.WithTransportCredentials(insecure.NewCredentials()), rpcutil.GrpcChannelOptions())
	if err != nil {
		return nil, fmt.Errorf("could not connect to the engine at %s: %w", address, err)
	}
	return &engineLog{client: pulumirpc.NewEngineClient(conn)}, nil
}

// status shows an ephemeral info line against the resource while a step runs (what upstream does with command
// output). Failing to log never fails the step.
func (l *engineLog) status(ctx context.Context, urn resource.URN, message string) {
	if l.client == nil {
		return
	}
	_, _ = l.client.Log(ctx, &pulumirpc.LogRequest{
		Severity:  pulumirpc.LogSeverity_INFO,
		Message:   message,
		Urn:       string(urn),
		Ephemeral: true,
	})
}
