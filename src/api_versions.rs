//! API versions that current clusters no longer serve, from the Kubernetes
//! deprecation guide (<https://kubernetes.io/docs/reference/using-api/deprecation-guide/>).
//!
//! One table, shared by every rule that must know whether an object can still
//! be applied (`removed-api-version` reports it; `missing-pdb` does not count a
//! removed PodDisruptionBudget as protection).

/// Why an `apiVersion` + `kind` can no longer be applied.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Removal {
    /// The release that stopped serving it, e.g. `1.16`.
    pub removed_in: &'static str,
    /// Which project's release `removed_in` is: `Kubernetes`, or the add-on
    /// that serves the API (`external-snapshotter`).
    pub component: &'static str,
    /// The apiVersion to use instead (`None`: the API is gone, e.g.
    /// PodSecurityPolicy).
    pub replacement: Option<&'static str>,
    /// What changes with the replacement, or what to do without one (a
    /// sentence fragment, never empty).
    pub note: &'static str,
}

struct Entry {
    api_version: &'static str,
    kinds: &'static [&'static str],
    removal: Removal,
}

const fn k8s(
    removed_in: &'static str,
    replacement: Option<&'static str>,
    note: &'static str,
) -> Removal {
    Removal {
        removed_in,
        component: "Kubernetes",
        replacement,
        note,
    }
}

/// The note of a removal whose replacement differs only in its apiVersion.
pub const SAME_SCHEMA: &str = "same schema";

const APPS_V1_NOTE: &str = "apps/v1 requires `spec.selector` (matching the template labels, immutable after creation) and defaults `updateStrategy` to RollingUpdate";
const WORKLOADS: &[&str] = &["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"];
const PSP_NOTE: &str = "PodSecurityPolicy has no replacement API: enforce the Pod Security Standards with Pod Security Admission (namespace labels) or an admission webhook";

static TABLE: &[Entry] = &[
    // v1.16
    Entry {
        api_version: "apps/v1beta1",
        kinds: &["Deployment", "StatefulSet", "ReplicaSet"],
        removal: k8s("1.16", Some("apps/v1"), APPS_V1_NOTE),
    },
    Entry {
        api_version: "apps/v1beta2",
        kinds: WORKLOADS,
        removal: k8s("1.16", Some("apps/v1"), APPS_V1_NOTE),
    },
    Entry {
        api_version: "extensions/v1beta1",
        kinds: &["Deployment", "DaemonSet", "ReplicaSet"],
        removal: k8s("1.16", Some("apps/v1"), APPS_V1_NOTE),
    },
    Entry {
        api_version: "extensions/v1beta1",
        kinds: &["NetworkPolicy"],
        removal: k8s("1.16", Some("networking.k8s.io/v1"), SAME_SCHEMA),
    },
    Entry {
        api_version: "extensions/v1beta1",
        kinds: &["PodSecurityPolicy"],
        removal: k8s("1.16", None, PSP_NOTE),
    },
    // v1.21 (an alpha version, off unless enabled by hand)
    Entry {
        api_version: "batch/v2alpha1",
        kinds: &["CronJob"],
        removal: k8s("1.21", Some("batch/v1"), SAME_SCHEMA),
    },
    // v1.22
    Entry {
        api_version: "extensions/v1beta1",
        kinds: &["Ingress"],
        removal: k8s("1.22", Some("networking.k8s.io/v1"), "networking.k8s.io/v1 renames the backend fields (`service.name`, `service.port.number`) and requires `pathType` on every path"),
    },
    Entry {
        api_version: "networking.k8s.io/v1beta1",
        kinds: &["Ingress"],
        removal: k8s("1.22", Some("networking.k8s.io/v1"), "networking.k8s.io/v1 renames the backend fields (`service.name`, `service.port.number`) and requires `pathType` on every path"),
    },
    Entry {
        api_version: "networking.k8s.io/v1beta1",
        kinds: &["IngressClass"],
        removal: k8s("1.22", Some("networking.k8s.io/v1"), SAME_SCHEMA),
    },
    Entry {
        api_version: "admissionregistration.k8s.io/v1beta1",
        kinds: &["MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"],
        removal: k8s("1.22", Some("admissionregistration.k8s.io/v1"), "v1 requires `sideEffects` and `admissionReviewVersions` on every webhook and defaults `failurePolicy` to Fail"),
    },
    Entry {
        api_version: "apiextensions.k8s.io/v1beta1",
        kinds: &["CustomResourceDefinition"],
        removal: k8s("1.22", Some("apiextensions.k8s.io/v1"), "v1 moves `validation`, `subresources` and `additionalPrinterColumns` under `spec.versions[*]` and requires a structural `openAPIV3Schema` and an explicit `spec.scope`"),
    },
    Entry {
        api_version: "apiregistration.k8s.io/v1beta1",
        kinds: &["APIService"],
        removal: k8s("1.22", Some("apiregistration.k8s.io/v1"), SAME_SCHEMA),
    },
    Entry {
        api_version: "certificates.k8s.io/v1beta1",
        kinds: &["CertificateSigningRequest"],
        removal: k8s("1.22", Some("certificates.k8s.io/v1"), "v1 requires `spec.signerName` and `spec.usages`"),
    },
    Entry {
        api_version: "coordination.k8s.io/v1beta1",
        kinds: &["Lease"],
        removal: k8s("1.22", Some("coordination.k8s.io/v1"), SAME_SCHEMA),
    },
    Entry {
        api_version: "rbac.authorization.k8s.io/v1beta1",
        kinds: &["ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding"],
        removal: k8s("1.22", Some("rbac.authorization.k8s.io/v1"), SAME_SCHEMA),
    },
    Entry {
        api_version: "scheduling.k8s.io/v1beta1",
        kinds: &["PriorityClass"],
        removal: k8s("1.22", Some("scheduling.k8s.io/v1"), SAME_SCHEMA),
    },
    Entry {
        api_version: "storage.k8s.io/v1beta1",
        kinds: &["CSIDriver", "CSINode", "StorageClass", "VolumeAttachment"],
        removal: k8s("1.22", Some("storage.k8s.io/v1"), SAME_SCHEMA),
    },
    // v1.25
    Entry {
        api_version: "batch/v1beta1",
        kinds: &["CronJob"],
        removal: k8s("1.25", Some("batch/v1"), SAME_SCHEMA),
    },
    Entry {
        api_version: "discovery.k8s.io/v1beta1",
        kinds: &["EndpointSlice"],
        removal: k8s("1.25", Some("discovery.k8s.io/v1"), "v1 replaces `topology` with per-endpoint `nodeName` and `zone`"),
    },
    Entry {
        api_version: "events.k8s.io/v1beta1",
        kinds: &["Event"],
        removal: k8s("1.25", Some("events.k8s.io/v1"), "v1 renames `involvedObject` to `regarding` and requires the reporting fields"),
    },
    Entry {
        api_version: "autoscaling/v2beta1",
        kinds: &["HorizontalPodAutoscaler"],
        removal: k8s("1.25", Some("autoscaling/v2"), "v2 replaces `targetAverageUtilization` with `target: {type: Utilization, averageUtilization: N}`"),
    },
    Entry {
        api_version: "policy/v1beta1",
        kinds: &["PodDisruptionBudget"],
        removal: k8s("1.25", Some("policy/v1"), "same schema, but an empty `spec.selector` (`{}`) selects every pod of the namespace in policy/v1, where it selected none in policy/v1beta1"),
    },
    Entry {
        api_version: "policy/v1beta1",
        kinds: &["PodSecurityPolicy"],
        removal: k8s("1.25", None, PSP_NOTE),
    },
    Entry {
        api_version: "node.k8s.io/v1beta1",
        kinds: &["RuntimeClass"],
        removal: k8s("1.25", Some("node.k8s.io/v1"), SAME_SCHEMA),
    },
    // v1.26
    Entry {
        api_version: "autoscaling/v2beta2",
        kinds: &["HorizontalPodAutoscaler"],
        removal: k8s("1.26", Some("autoscaling/v2"), SAME_SCHEMA),
    },
    Entry {
        api_version: "flowcontrol.apiserver.k8s.io/v1beta1",
        kinds: &["FlowSchema", "PriorityLevelConfiguration"],
        removal: k8s("1.26", Some("flowcontrol.apiserver.k8s.io/v1"), "v1 renames `assuredConcurrencyShares` to `nominalConcurrencyShares`"),
    },
    // v1.27
    Entry {
        api_version: "storage.k8s.io/v1beta1",
        kinds: &["CSIStorageCapacity"],
        removal: k8s("1.27", Some("storage.k8s.io/v1"), SAME_SCHEMA),
    },
    // v1.29
    Entry {
        api_version: "flowcontrol.apiserver.k8s.io/v1beta2",
        kinds: &["FlowSchema", "PriorityLevelConfiguration"],
        removal: k8s("1.29", Some("flowcontrol.apiserver.k8s.io/v1"), "v1 renames `assuredConcurrencyShares` to `nominalConcurrencyShares`"),
    },
    // v1.32
    Entry {
        api_version: "flowcontrol.apiserver.k8s.io/v1beta3",
        kinds: &["FlowSchema", "PriorityLevelConfiguration"],
        removal: k8s("1.32", Some("flowcontrol.apiserver.k8s.io/v1"), SAME_SCHEMA),
    },
    // Not a built-in API: the CSI snapshot CRDs and controller
    // (kubernetes-csi/external-snapshotter) dropped v1beta1 in release 6.0.
    Entry {
        api_version: "snapshot.storage.k8s.io/v1beta1",
        kinds: &["VolumeSnapshot", "VolumeSnapshotClass", "VolumeSnapshotContent"],
        removal: Removal {
            removed_in: "6.0",
            component: "external-snapshotter",
            replacement: Some("snapshot.storage.k8s.io/v1"),
            note: SAME_SCHEMA,
        },
    },
];

/// Whether `kind` under `api_version` is an API that current clusters no
/// longer serve, and what replaces it.
pub fn removed(api_version: &str, kind: &str) -> Option<Removal> {
    let api_version = api_version.trim();
    TABLE
        .iter()
        .find(|e| e.api_version == api_version && e.kinds.contains(&kind))
        .map(|e| e.removal)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::{load_file, LoadOptions};
    use crate::source::{FileId, SourceFile};

    #[test]
    fn known_removals() {
        let r = removed("apps/v1beta1", "StatefulSet").expect("removed");
        assert_eq!((r.removed_in, r.replacement), ("1.16", Some("apps/v1")));
        assert_eq!(
            removed("policy/v1beta1", "PodDisruptionBudget").map(|r| r.removed_in),
            Some("1.25")
        );
        assert_eq!(
            removed("policy/v1beta1", "PodSecurityPolicy").and_then(|r| r.replacement),
            None
        );
        assert_eq!(
            removed("autoscaling/v2beta2", "HorizontalPodAutoscaler").map(|r| r.removed_in),
            Some("1.26")
        );
        // Served versions and kinds a version never served are not removals.
        assert_eq!(removed("apps/v1", "StatefulSet"), None);
        assert_eq!(removed("policy/v1", "PodDisruptionBudget"), None);
        assert_eq!(removed("extensions/v1beta1", "StatefulSet"), None);
        assert_eq!(removed("apps/v1beta1", "DaemonSet"), None);
        assert_eq!(removed("batch/v1", "CronJob"), None);
    }

    #[test]
    fn every_entry_is_well_formed() {
        for e in TABLE {
            assert!(
                !e.kinds.is_empty() && !e.removal.note.is_empty(),
                "{}",
                e.api_version
            );
            assert_ne!(e.removal.replacement, Some(e.api_version));
            // The first entry for a version/kind pair wins: no duplicates.
            for k in e.kinds {
                let n = TABLE
                    .iter()
                    .filter(|o| o.api_version == e.api_version && o.kinds.contains(k))
                    .count();
                assert_eq!(n, 1, "{} {k} listed twice", e.api_version);
            }
        }
    }

    /// `invalid-value` reports a built-in kind under a group that never served
    /// it; every removal listed here was served, so the loader types it without
    /// an `apiVersion` error and the two rules never report the same thing.
    #[test]
    fn removals_are_not_wrong_groups() {
        for e in TABLE {
            for kind in e.kinds {
                let text = format!(
                    "apiVersion: {}\nkind: {kind}\nmetadata: {{name: x}}\nspec:\n  template: {{spec: {{containers: [{{name: a}}]}}}}\n",
                    e.api_version
                );
                let r = load_file(
                    FileId(0),
                    &SourceFile::new("t.yaml", text.as_str()),
                    &LoadOptions::default(),
                );
                let obj = &r.objects[0];
                assert!(
                    !obj.type_errors.iter().any(|t| t.field == "apiVersion"),
                    "{} {kind}: {:?}",
                    e.api_version,
                    obj.type_errors
                );
            }
        }
    }
}
