//! PodDisruptionBudgets as Kubernetes computes them: how many evictions a
//! budget allows (the disruption controller's arithmetic). Replica counts and
//! which pods a budget selects are read from facts ([`crate::facts::pods`]).

use k8s_openapi::api::policy::v1::PodDisruptionBudgetSpec;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

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
    allowance_scaled(
        spec.max_unavailable.as_ref().map(|v| scaled(v, total)),
        spec.min_available.as_ref().map(|v| scaled(v, total)),
        total,
    )
}

/// [`allowance`] from `maxUnavailable` and `minAvailable` already scaled to
/// `total` (outer `None`: the field is unset; inner `None`: not a valid
/// value).
pub fn allowance_scaled(
    max_unavailable: Option<Option<i32>>,
    min_available: Option<Option<i32>>,
    total: i32,
) -> Allowance {
    if let Some(max) = max_unavailable {
        return match max {
            Some(m) => Allowance::Disruptions {
                allowed: m.min(total),
                healthy: (total - m).max(0),
            },
            None => Allowance::Invalid,
        };
    }
    if let Some(min) = min_available {
        return match min {
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
