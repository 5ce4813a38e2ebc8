// Istio's own offline checks on the hand-written mesh manifests (mesh-manifests.ts): `istioctl validate -f` judges
// each object alone, `istioctl analyze --use-kube=false -A` judges them together (a route to a subset no
// DestinationRule defines is IST0101). Without `-A` analyze looks only at namespace `default` and passes anything
// else: the last case pins that trap down. Needs only the toolchain's istioctl, no cluster.
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { bookinfoWorkloads, destinationRule, meshedNamespace, virtualService } from "./mesh-manifests";
import { istioctl } from "./helpers";

const ns = "bookinfo-mesh";

describe("istioctl on the hand-written mesh manifests", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mesh-istioctl-"));
    /** A multi-document YAML file (JSON documents are YAML) of the namespace, the workloads and the given routes. */
    const write = (name: string, routes: object[]) => {
        const file = path.join(dir, name);
        const docs = [meshedNamespace(ns), ...bookinfoWorkloads(ns), ...routes];
        fs.writeFileSync(file, docs.map((d) => JSON.stringify(d, null, 1)).join("\n---\n") + "\n");
        return file;
    };
    let good: string, missingSubset: string;

    before(() => {
        good = write("good.yaml", [destinationRule(ns), virtualService(ns, { v1: 99, v2: 1, mirror: true })]);
        missingSubset = write("missing-subset.yaml", [
            destinationRule(ns, ["v1"]),
            virtualService(ns, { v1: 99, v2: 1, mirror: true }),
        ]);
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("validate and analyze -A accept the manifests (exit 0)", () => {
        const validate = istioctl(["validate", "-f", good]);
        assert.equal(validate.code, 0, validate.out);
        const analyze = istioctl(["analyze", "--use-kube=false", "-A", good]);
        assert.equal(analyze.code, 0, analyze.out);
        assert.match(analyze.out, /No validation issues found/);
    });

    it("analyze -A reports IST0101 for each reference to the missing subset v2 and exits non-zero", () => {
        const r = istioctl(["analyze", "--use-kube=false", "-A", missingSubset]);
        assert.notEqual(r.code, 0, r.out);
        // The tester route, the weighted route and the mirror each name v2.
        const findings = r.out.split("\n").filter((l) => l.includes("IST0101"));
        assert.equal(findings.length, 3, r.out);
        for (const f of findings)
            assert.match(f, new RegExp(`VirtualService ${ns}/reviews.*reviews\\.${ns}\\.svc\\.cluster\\.local\\+v2`));
    });

    it("validate judges objects alone: it passes the missing subset, and fails a mirror percentage over 100", () => {
        assert.equal(istioctl(["validate", "-f", missingSubset]).code, 0);
        const vs = virtualService(ns, { v1: 99, v2: 1, mirror: true }) as any;
        vs.spec.http[1].mirrorPercentage.value = 150;
        const r = istioctl(["validate", "-f", write("mirror-150.yaml", [destinationRule(ns), vs])]);
        assert.notEqual(r.code, 0, r.out);
        assert.match(r.out, /VirtualService\/bookinfo-mesh\/reviews: mirror_percentage must have a max value of 100/);
    });

    it("analyze without -A looks only at namespace default: it passes the missing subset (the trap -A avoids)", () => {
        const r = istioctl(["analyze", "--use-kube=false", missingSubset]);
        assert.equal(r.code, 0, r.out);
        assert.doesNotMatch(r.out, /IST0101/);
    });
});
