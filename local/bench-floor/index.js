// Declares nothing: what is left of a run is the CLI, the engine, node and the Pulumi SDK.
require("@pulumi/pulumi");
