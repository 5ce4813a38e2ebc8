import * as assert from "assert";
import { checkEachResource, checkResource } from "../testing/harness";
import { everyGoal, goalResource } from "../testing/fixtures";
import { imagesPinATag as policy, tagOf } from "./images-pin-a-tag";

const advice = (image: string, what: string) =>
    `container reviews of Deployment reviews-v3: image "${image}" ${what}, which moves: a gate pass cannot vouch for it and a restarted pod may pull different code. Pin a version tag (e.g. :1.20.3) or a digest (@sha256:...).`;

/** The dark candidate of release v2->v3 with this image. */
function darkV3(image: string) {
    const v3 = goalResource("v2->v3", "dark", "reviews-rollout-v3");
    v3.props.spec.template.spec.containers[0].image = image;
    return v3;
}

describe("images-pin-a-tag", () => {
    for (const { title, resources } of everyGoal()) {
        it(`accepts the goal state of ${title}`, async () => {
            assert.deepStrictEqual(await checkEachResource(policy, resources), []);
        });
    }

    it("reads tags past a registry port and leaves digests alone", () => {
        assert.strictEqual(tagOf("localhost:5000/reviews"), "");
        assert.strictEqual(tagOf("localhost:5000/reviews:1.2"), "1.2");
        assert.strictEqual(tagOf("reviews@sha256:abc"), undefined);
    });

    it("advises against the latest tag", async () => {
        const image = "docker.io/istio/examples-bookinfo-reviews-v3:latest";
        assert.deepStrictEqual(await checkResource(policy, darkV3(image)), [advice(image, "uses the latest tag")]);
    });

    it("advises against an image without a tag", async () => {
        assert.deepStrictEqual(await checkResource(policy, darkV3("localhost:5000/reviews-v3")), [
            advice("localhost:5000/reviews-v3", "has no tag, so it means latest"),
        ]);
    });

    it("accepts an image pinned by digest", async () => {
        assert.deepStrictEqual(await checkResource(policy, darkV3("localhost:5000/reviews-v3@sha256:0123")), []);
    });
});
