// The hand-written stage shapes of two consecutive releases (3 stable pods) that the pack's specs use too
// (policy/testing/fixtures.ts), plus what the unit specs add: bounds, the other images, gate records.
import { GateView } from "../../rollout/gate-record";
import * as fixtures from "../../policy/testing/fixtures";
import { IMG, MESH_STAGES, MESH_TRAFFIC, pass, RELEASES, SERVICE_IMAGES, SHAPES } from "../../policy/testing/fixtures";

export { IMG, MESH_STAGES, MESH_TRAFFIC, RELEASES, SHAPES };
/** The istio shapes and routes of release v1 -> v2, which the unit specs use. */
export const MESH_SHAPES = fixtures.MESH_SHAPES["v1->v2"];
export const MESH_ROUTES = fixtures.MESH_ROUTES["v1->v2"];
export const V1_TO_V2 = RELEASES["v1->v2"];
export const V2_TO_V3 = RELEASES["v2->v3"];
export const SERVICES = SERVICE_IMAGES;
export const BOUNDS = { maxReplicas: 10, maxReplicaChange: 5, minServingPods: 3 };

/** A trusted gate record with passes for these (version, image) pairs. */
export function passed(...pairs: [string, string][]): GateView {
    return { trust: "trusted", passes: pairs.map(([version, image]) => pass(version, image)) };
}
