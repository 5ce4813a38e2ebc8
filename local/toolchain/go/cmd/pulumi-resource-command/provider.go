package main

import (
	"context"
	"fmt"
	"time"

	"github.com/blang/semver"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
)

const commandType = "command:local:Command"

// commandProvider implements command:local:Command. Other resources and functions of pulumi-command (remote
// commands, copies, local.run) answer Unimplemented through the embedded provider.
type commandProvider struct {
	plugin.UnimplementedProvider

	log *engineLog
	// cancelled by SignalCancellation: stops the commands that are running.
	cancelCtx  context.Context
	cancelFunc context.CancelFunc
}

func newCommandProvider(engineAddress string) (*commandProvider, error) {
	log, err := newEngineLog(engineAddress)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &commandProvider{log: log, cancelCtx: ctx, cancelFunc: cancel}, nil
}

func (p *commandProvider) Close() error { return nil }

func (p *commandProvider) Handshake(
	context.Context, plugin.ProviderHandshakeRequest,
) (*plugin.ProviderHandshakeResponse, error) {
	return &plugin.ProviderHandshakeResponse{AcceptSecrets: true, AcceptResources: true}, nil
}

func (p *commandProvider) GetPluginInfo(context.Context) (plugin.PluginInfo, error) {
	v, err := semver.ParseTolerant(commandVersion)
	if err != nil {
		return plugin.PluginInfo{}, fmt.Errorf("bad provider version %q: %w", commandVersion, err)
	}
	return plugin.PluginInfo{Version: &v}, nil
}

// GetSchema returns a schema that names the package only: the engine does not need more to run programs.
func (p *commandProvider) GetSchema(context.Context, plugin.GetSchemaRequest) (plugin.GetSchemaResponse, error) {
	return plugin.GetSchemaResponse{
		Schema: []byte(fmt.Sprintf(`{"name":"command","version":%q}`, commandVersion)),
	}, nil
}

// The provider has no configuration.
func (p *commandProvider) CheckConfig(
	_ context.Context, req plugin.CheckConfigRequest,
) (plugin.CheckConfigResponse, error) {
	return plugin.CheckConfigResponse{Properties: req.News}, nil
}

func (p *commandProvider) DiffConfig(context.Context, plugin.DiffConfigRequest) (plugin.DiffConfigResponse, error) {
	return plugin.DiffResult{Changes: plugin.DiffNone}, nil
}

func (p *commandProvider) Configure(context.Context, plugin.ConfigureRequest) (plugin.ConfigureResponse, error) {
	return plugin.ConfigureResponse{}, nil
}

func (p *commandProvider) SignalCancellation(context.Context) error {
	p.cancelFunc()
	return nil
}

// Check validates the inputs and returns them unchanged (defaults are applied when commands run).
func (p *commandProvider) Check(_ context.Context, req plugin.CheckRequest) (plugin.CheckResponse, error) {
	if err := checkType(req.Type); err != nil {
		return plugin.CheckResponse{}, err
	}
	_, _, failures := parseInputs(req.News)
	return plugin.CheckResponse{Properties: req.News, Failures: failures}, nil
}

func (p *commandProvider) Diff(_ context.Context, req plugin.DiffRequest) (plugin.DiffResponse, error) {
	olds := req.OldInputs
	if len(olds) == 0 {
		olds = req.OldOutputs // state written without inputs: the outputs echo them
	}
	return diffInputs(olds, req.NewInputs), nil
}

// Create runs `create`. In a preview nothing runs and stdout/stderr are unknown.
func (p *commandProvider) Create(ctx context.Context, req plugin.CreateRequest) (plugin.CreateResponse, error) {
	if err := checkType(req.Type); err != nil {
		return plugin.CreateResponse{}, err
	}
	id, err := resource.NewUniqueHex(req.Name, 8, 0)
	if err != nil {
		return plugin.CreateResponse{}, err
	}
	in, err := runnableInputs(req.Properties, req.Preview)
	if err != nil {
		return plugin.CreateResponse{}, err
	}
	if req.Preview {
		return plugin.CreateResponse{ID: resource.ID(id), Properties: previewOutputs(req.Properties)}, nil
	}
	var stdout, stderr string
	if in.create != "" {
		ctx, done := p.stepContext(ctx, req.Timeout)
		defer done()
		stdout, stderr, err = p.runCommand(ctx, req.URN, "create", in.create, in, previousOutput{})
		if err != nil {
			return plugin.CreateResponse{}, err
		}
	}
	return plugin.CreateResponse{
		ID: resource.ID(id), Properties: outputs(req.Properties, stdout, stderr), Status: resource.StatusOK,
	}, nil
}

// Update runs `update`, or `create` when no update command is set.
func (p *commandProvider) Update(ctx context.Context, req plugin.UpdateRequest) (plugin.UpdateResponse, error) {
	in, err := runnableInputs(req.NewInputs, req.Preview)
	if err != nil {
		return plugin.UpdateResponse{}, err
	}
	if req.Preview {
		return plugin.UpdateResponse{Properties: previewOutputs(req.NewInputs)}, nil
	}
	prev := previousOutputOf(req.OldOutputs)
	command, step := in.update, "update"
	if command == "" {
		command, step = in.create, "create"
	}
	stdout, stderr := prev.stdout, prev.stderr
	if command != "" {
		ctx, done := p.stepContext(ctx, req.Timeout)
		defer done()
		stdout, stderr, err = p.runCommand(ctx, req.URN, step, command, in, prev)
		if err != nil {
			return plugin.UpdateResponse{}, err
		}
	}
	return plugin.UpdateResponse{Properties: outputs(req.NewInputs, stdout, stderr), Status: resource.StatusOK}, nil
}

// Delete runs `delete` when it is set, with the inputs as they were last deployed.
func (p *commandProvider) Delete(ctx context.Context, req plugin.DeleteRequest) (plugin.DeleteResponse, error) {
	props := req.Outputs
	if len(props) == 0 {
		props = req.Inputs
	}
	in, err := runnableInputs(props, false)
	if err != nil {
		return plugin.DeleteResponse{}, err
	}
	if in.delete != "" {
		ctx, done := p.stepContext(ctx, req.Timeout)
		defer done()
		if _, _, err := p.runCommand(ctx, req.URN, "delete", in.delete, in, previousOutputOf(req.Outputs)); err != nil {
			return plugin.DeleteResponse{}, err
		}
	}
	return plugin.DeleteResponse{Status: resource.StatusOK}, nil
}

// Read (refresh) keeps the state as it is: a command has no remote state to read back.
func (p *commandProvider) Read(_ context.Context, req plugin.ReadRequest) (plugin.ReadResponse, error) {
	return plugin.ReadResponse{
		ReadResult: plugin.ReadResult{ID: req.ID, Inputs: req.Inputs, Outputs: req.State},
		Status:     resource.StatusOK,
	}, nil
}

func checkType(t interface{ String() string }) error {
	if t.String() != commandType {
		return fmt.Errorf("unknown resource type %q: this command provider implements only %s", t, commandType)
	}
	return nil
}

// runnableInputs parses inputs for a step; outside a preview every value must be known and valid.
func runnableInputs(props resource.PropertyMap, preview bool) (commandInputs, error) {
	in, unknown, failures := parseInputs(props)
	if len(failures) > 0 {
		return in, fmt.Errorf("invalid inputs: %s", failures[0].Reason)
	}
	if unknown && !preview {
		return in, fmt.Errorf("inputs are not all known outside a preview; cannot run the command")
	}
	return in, nil
}

// stepContext ends when the step's custom timeout (seconds, 0 = none) passes or the engine cancels.
func (p *commandProvider) stepContext(ctx context.Context, timeout float64) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(ctx)
	stop := context.AfterFunc(p.cancelCtx, cancel)
	if timeout > 0 {
		var cancelTimeout context.CancelFunc
		ctx, cancelTimeout = context.WithTimeout(ctx, time.Duration(timeout*float64(time.Second)))
		return ctx, func() { cancelTimeout(); stop(); cancel() }
	}
	return ctx, func() { stop(); cancel() }
}

// outputs echo every input and add stdout/stderr, secret when any input is secret.
func outputs(inputs resource.PropertyMap, stdout, stderr string) resource.PropertyMap {
	out := inputs.Copy()
	secret := inputs.ContainsSecrets()
	for k, v := range map[resource.PropertyKey]string{"stdout": stdout, "stderr": stderr} {
		out[k] = resource.NewStringProperty(v)
		if secret {
			out[k] = resource.MakeSecret(out[k])
		}
	}
	return out
}

// previewOutputs echo the inputs with stdout/stderr unknown until the command has run.
func previewOutputs(inputs resource.PropertyMap) resource.PropertyMap {
	out := inputs.Copy()
	out["stdout"] = resource.MakeComputed(resource.NewStringProperty(""))
	out["stderr"] = resource.MakeComputed(resource.NewStringProperty(""))
	return out
}

func previousOutputOf(state resource.PropertyMap) previousOutput {
	r := &inputReader{props: state}
	return previousOutput{stdout: r.str("stdout"), stderr: r.str("stderr")}
}
