// A release of reviews: the version that serves today and, during a rollout, the one that replaces it. Config,
// fleet, route, record and verdict all speak of a release; it lives here so none of them imports another for it.

/** One version of reviews in a release: its `version` label, image and replica count. */
export interface Version {
    version: string;
    image: string;
    replicas: number;
}

/** A release: the version that serves today and, during a rollout, the one that replaces it. */
export interface Release {
    stable: Version;
    candidate?: Version;
}
