// What this rule enforces, and why: its `description`; the README and docs/policy.md list it from there.
import { allContainers, describe, podSpecOf } from "../lib/kubernetes";
import { RolloutPolicy } from "../lib/policy";

/** The tag of an image reference, "" when it has none; undefined when it is pinned by digest. */
export function tagOf(image: string): string | undefined {
    if (image.includes("@")) return undefined;
    const lastPart = image.slice(image.lastIndexOf("/") + 1);
    const colon = lastPart.indexOf(":");
    return colon < 0 ? "" : lastPart.slice(colon + 1);
}

export const imagesPinATag: RolloutPolicy = {
    name: "images-pin-a-tag",
    description:
        "Every container image names a version tag or a digest, never `latest` or nothing: a gate pass can only vouch for a fixed image, and a restarted pod could pull different code.",
    enforcementLevel: "advisory",
    validateResource: (args, reportViolation) => {
        const spec = podSpecOf(args.type, args.props);
        if (!spec) return;
        for (const container of allContainers(spec)) {
            const image = container.image ?? "";
            const tag = tagOf(image);
            if (tag === undefined || (tag !== "" && tag !== "latest")) continue;
            const what = tag === "" ? "has no tag, so it means latest" : "uses the latest tag";
            reportViolation(
                `container ${container.name ?? "(unnamed)"} of ${describe(args.type, args.name, args.props)}: image "${image}" ${what}, which moves: a gate pass cannot vouch for it and a restarted pod may pull different code. Pin a version tag (e.g. :1.20.3) or a digest (@sha256:...).`,
            );
        }
    },
};
