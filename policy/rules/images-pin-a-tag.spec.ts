import * as assert from "assert";
import { STAGE_NAMES } from "../../rollout/stages";
import { checkEachResource, checkResource } from "../testing/harness";
import { goal, pick } from "../testing/fixtures";
import { imagesPinATag as policy, tagOf } from "./images-pin-a-tag";

const advice = (image: string, what: string) =>
    `container reviews of Deployment reviews-v2: image "${image}" ${what}, which moves: a smoke test cannot vouch for it and a restarted pod may pull different code. Pin a version tag (e.g. :1.20.3) or a digest (@sha256:...).`;

describe("images-pin-a-tag", () => {
    for (const stage of STAGE_NAMES) {
        it(`accepts the goal state of ${stage}`, async () => {
            assert.deepStrictEqual(await checkEachResource(policy, goal(stage)), []);
        });
    }

    it("reads tags past a registry port and leaves digests alone", () => {
        assert.strictEqual(tagOf("localhost:5000/reviews"), "");
        assert.strictEqual(tagOf("localhost:5000/reviews:1.2"), "1.2");
        assert.strictEqual(tagOf("reviews@sha256:abc"), undefined);
    });

    it("advises against the latest tag", async () => {
        const v2 = pick(goal("v2-dark", { v2Image: "docker.io/istio/examples-bookinfo-reviews-v2:latest" }), "reviews-v2");
        assert.deepStrictEqual(await checkResource(policy, v2), [advice("docker.io/istio/examples-bookinfo-reviews-v2:latest", "uses the latest tag")]);
    });

    it("advises against an image without a tag", async () => {
        const v2 = pick(goal("v2-dark", { v2Image: "localhost:5000/reviews-v2" }), "reviews-v2");
        assert.deepStrictEqual(await checkResource(policy, v2), [advice("localhost:5000/reviews-v2", "has no tag, so it means latest")]);
    });

    it("accepts an image pinned by digest", async () => {
        const v2 = pick(goal("v2-dark", { v2Image: "localhost:5000/reviews-v2@sha256:0123" }), "reviews-v2");
        assert.deepStrictEqual(await checkResource(policy, v2), []);
    });
});
