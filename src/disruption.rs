//! Replica counts and PodDisruptionBudgets as Kubernetes computes them: how
//! many pods a workload keeps, which pods a budget selects, and how many
//! evictions it allows (the disruption controller's arithmetic).

use k8s_openapi::api::policy::v1::PodDisruptionBudgetSpec;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use crate::index::{selector_is_empty, selector_matches, Index};
use crate::manifest::{Object, Typed};

/// Where a workload's replica count comes from.
#[derive(Clone, Copy, Debug)]
pub enum ReplicaSource<'a> {
    /// `spec.replicas` as written.
    Spec,
    /// `spec.replicas` unset: Kubernetes runs one pod.
    Default,
    /// A HorizontalPodAutoscaler among the linted objects scales it: its
    /// `minReplicas` (default 1) is the count the workload can drop to.
    Autoscaler(&'a Object),
}

#[derive(Clone, Copy, Debug)]
pub struct Replicas<'a> {
    pub count: i32,
    pub source: ReplicaSource<'a>,
}

impl<'a> Replicas<'a> {
    /// `3 replicas`, `1 replica (replicas unset)`,
    /// `at least 2 replicas (HorizontalPodAutoscaler `web` minReplicas)`.
    pub fn describe(&self) -> String {
        let n = self.count;
        let noun = if n == 1 { "replica" } else { "replicas" };
        match self.source {
            ReplicaSource::Spec => format!("{n} {noun}"),
            ReplicaSource::Default => format!("{n} {noun} (`replicas` is unset)"),
            ReplicaSource::Autoscaler(h) => {
                format!(
                    "at least {n} {noun} (HorizontalPodAutoscaler `{}` `minReplicas`)",
                    h.name
                )
            }
        }
    }

    /// Where the count is written: (object, field), for a related span.
    pub fn origin(&self, workload: &'a Object) -> (&'a Object, &'static str) {
        match self.source {
            ReplicaSource::Autoscaler(h) if h.has("spec.minReplicas") => (h, "spec.minReplicas"),
            ReplicaSource::Autoscaler(h) => (h, "spec.scaleTargetRef"),
            ReplicaSource::Spec => (workload, "spec.replicas"),
            ReplicaSource::Default => (workload, "metadata.name"),
        }
    }
}

/// The replicas of a scalable workload (StatefulSet, Deployment, ReplicaSet),
/// counting an autoscaler's `minReplicas` when one targets it.
pub fn replicas<'a>(obj: &'a Object, index: &Index<'a>) -> Option<Replicas<'a>> {
    if !matches!(
        obj.typed,
        Typed::StatefulSet(_) | Typed::Deployment(_) | Typed::ReplicaSet(_)
    ) {
        return None;
    }
    if let Some(h) = index.hpa_for(obj) {
        let min = match &h.typed {
            Typed::HorizontalPodAutoscaler(hpa) => hpa.spec.min_replicas.unwrap_or(1),
            _ => 1,
        };
        return Some(Replicas {
            count: min,
            source: ReplicaSource::Autoscaler(h),
        });
    }
    Some(match obj.replicas() {
        Some(n) => Replicas {
            count: n,
            source: ReplicaSource::Spec,
        },
        None => Replicas {
            count: 1,
            source: ReplicaSource::Default,
        },
    })
}

/// The spec of a PodDisruptionBudget object.
pub fn spec(pdb: &Object) -> Option<&PodDisruptionBudgetSpec> {
    match &pdb.typed {
        Typed::PodDisruptionBudget(p) => p.spec.as_ref(),
        _ => None,
    }
}

/// What an empty selector (`{}`) of a budget selects: every pod of its
/// namespace in `policy/v1`, none in `policy/v1beta1`.
pub fn empty_selector_selects_all(pdb: &Object) -> bool {
    pdb.api_version != "policy/v1beta1"
}

/// Whether a budget selects pods labelled `labels` (in its own namespace).
/// A missing selector selects nothing; an empty one, see
/// [`empty_selector_selects_all`].
pub fn selects(pdb: &Object, labels: &std::collections::BTreeMap<String, String>) -> bool {
    let Some(sel) = spec(pdb).and_then(|s| s.selector.as_ref()) else {
        return false;
    };
    if selector_is_empty(sel) {
        return empty_selector_selects_all(pdb);
    }
    selector_matches(sel, labels)
}

/// `minAvailable` / `maxUnavailable` scaled to `total` pods, rounding up as
/// the disruption controller does. `None`: not a valid value (percentages
/// are whole numbers followed by `%`).
pub fn scaled(v: &IntOrString, total: i32) -> Option<i32> {
    match v {
        IntOrString::Int(i) => Some(*i),
        IntOrString::String(s) => scaled_percent(s, total),
    }
}

/// A percentage (`50%`) of `total` pods, rounded up (see [`scaled`]).
pub fn scaled_percent(s: &str, total: i32) -> Option<i32> {
    let p: i64 = s.trim().strip_suffix('%')?.parse().ok()?;
    let total = i64::from(total.max(0));
    Some(i32::try_from((p * total + 99).div_euclid(100)).unwrap_or(i32::MAX))
}

/// What a budget allows for `total` pods.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Allowance {
    /// Neither `minAvailable` nor `maxUnavailable`: every pod may be evicted.
    Unbounded,
    /// This many pods may be disrupted at once (≤ 0: none).
    Disruptions {
        allowed: i32,
        /// The pods that must stay healthy, after rounding.
        healthy: i32,
    },
    /// A value the controller cannot read (`1.5%`).
    Invalid,
}

pub fn allowance(spec: &PodDisruptionBudgetSpec, total: i32) -> Allowance {
    if let Some(max) = &spec.max_unavailable {
        return match scaled(max, total) {
            Some(m) => Allowance::Disruptions {
                allowed: m.min(total),
                healthy: (total - m).max(0),
            },
            None => Allowance::Invalid,
        };
    }
    if let Some(min) = &spec.min_available {
        return match scaled(min, total) {
            Some(m) => Allowance::Disruptions {
                allowed: total - m,
                healthy: m,
            },
            None => Allowance::Invalid,
        };
    }
    Allowance::Unbounded
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pct(s: &str) -> IntOrString {
        IntOrString::String(s.into())
    }

    #[test]
    fn percentages_round_up() {
        assert_eq!(scaled(&pct("67%"), 3), Some(3));
        assert_eq!(scaled(&pct("66%"), 3), Some(2));
        assert_eq!(scaled(&pct("50%"), 3), Some(2));
        assert_eq!(scaled(&pct("10%"), 3), Some(1));
        assert_eq!(scaled(&pct("0%"), 3), Some(0));
        assert_eq!(scaled(&pct("100%"), 5), Some(5));
        assert_eq!(scaled(&IntOrString::Int(2), 5), Some(2));
        assert_eq!(scaled(&pct("1.5%"), 5), None);
        assert_eq!(scaled(&pct("50"), 5), None);
    }

    #[test]
    fn allowances() {
        let min = |v| PodDisruptionBudgetSpec {
            min_available: Some(v),
            ..Default::default()
        };
        let max = |v| PodDisruptionBudgetSpec {
            max_unavailable: Some(v),
            ..Default::default()
        };
        assert_eq!(
            allowance(&min(pct("67%")), 3),
            Allowance::Disruptions {
                allowed: 0,
                healthy: 3
            }
        );
        assert_eq!(
            allowance(&min(IntOrString::Int(2)), 3),
            Allowance::Disruptions {
                allowed: 1,
                healthy: 2
            }
        );
        assert_eq!(
            allowance(&max(pct("10%")), 3),
            Allowance::Disruptions {
                allowed: 1,
                healthy: 2
            }
        );
        assert_eq!(
            allowance(&max(IntOrString::Int(0)), 3),
            Allowance::Disruptions {
                allowed: 0,
                healthy: 3
            }
        );
        assert_eq!(
            allowance(&PodDisruptionBudgetSpec::default(), 3),
            Allowance::Unbounded
        );
    }
}
