//! Label selectors as Kubernetes evaluates them (matchLabels, matchExpressions),
//! and how findings describe selectors, labels and namespaces.

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;

/// Whether a label selector selects `labels` (matchLabels and matchExpressions
/// with In, NotIn, Exists, DoesNotExist). An empty selector selects everything;
/// an unknown operator selects nothing.
pub fn selector_matches(sel: &LabelSelector, labels: &BTreeMap<String, String>) -> bool {
    if let Some(ml) = &sel.match_labels {
        if !ml.iter().all(|(k, v)| labels.get(k) == Some(v)) {
            return false;
        }
    }
    for e in sel.match_expressions.iter().flatten() {
        let values = e.values.as_deref().unwrap_or_default();
        let have = labels.get(&e.key);
        let ok = match e.operator.as_str() {
            "In" => have.is_some_and(|v| values.contains(v)),
            "NotIn" => have.is_none_or(|v| !values.contains(v)),
            "Exists" => have.is_some(),
            "DoesNotExist" => have.is_none(),
            _ => false,
        };
        if !ok {
            return false;
        }
    }
    true
}

/// Whether a selector has no requirements at all.
pub fn selector_is_empty(sel: &LabelSelector) -> bool {
    sel.match_labels.as_ref().is_none_or(BTreeMap::is_empty)
        && sel.match_expressions.as_ref().is_none_or(Vec::is_empty)
}

/// Equality-based selector (Service `spec.selector`): every pair must match.
/// An empty or absent selector selects nothing (such a Service has no
/// endpoints managed for it).
pub fn map_selector_matches(
    sel: Option<&BTreeMap<String, String>>,
    labels: &BTreeMap<String, String>,
) -> bool {
    match sel {
        Some(s) if !s.is_empty() => s.iter().all(|(k, v)| labels.get(k) == Some(v)),
        _ => false,
    }
}

/// `a=b, c in (d)` for messages.
pub fn describe_selector(sel: &LabelSelector) -> String {
    let mut parts: Vec<String> = sel
        .match_labels
        .iter()
        .flatten()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    for e in sel.match_expressions.iter().flatten() {
        let vals = e.values.as_deref().unwrap_or_default().join(", ");
        parts.push(match e.operator.as_str() {
            "Exists" => e.key.clone(),
            "DoesNotExist" => format!("!{}", e.key),
            op => format!("{} {} ({})", e.key, op.to_lowercase(), vals),
        });
    }
    if parts.is_empty() {
        "everything".into()
    } else {
        parts.join(", ")
    }
}

/// `in namespace `prod``, or `in the same namespace` for objects without one.
pub fn in_ns(ns: Option<&str>) -> String {
    match ns {
        Some(ns) => format!("in namespace `{ns}`"),
        None => "in the same namespace".to_string(),
    }
}

pub fn describe_labels(labels: &BTreeMap<String, String>) -> String {
    if labels.is_empty() {
        return "no labels".into();
    }
    labels
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelectorRequirement;

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn expr(key: &str, op: &str, values: &[&str]) -> LabelSelectorRequirement {
        LabelSelectorRequirement {
            key: key.into(),
            operator: op.into(),
            values: Some(values.iter().map(|s| s.to_string()).collect()),
        }
    }

    #[test]
    fn match_labels_and_expressions() {
        let l = labels(&[("app", "db"), ("tier", "data")]);
        let sel = LabelSelector {
            match_labels: Some(labels(&[("app", "db")])),
            match_expressions: Some(vec![
                expr("tier", "In", &["data", "cache"]),
                expr("env", "NotIn", &["dev"]),
                expr("app", "Exists", &[]),
                expr("canary", "DoesNotExist", &[]),
            ]),
        };
        assert!(selector_matches(&sel, &l));
        let miss = LabelSelector {
            match_expressions: Some(vec![expr("tier", "NotIn", &["data"])]),
            ..Default::default()
        };
        assert!(!selector_matches(&miss, &l));
        let bad_op = LabelSelector {
            match_expressions: Some(vec![expr("tier", "Matches", &["data"])]),
            ..Default::default()
        };
        assert!(!selector_matches(&bad_op, &l));
        assert!(selector_matches(&LabelSelector::default(), &l));
    }

    #[test]
    fn service_selectors_need_every_pair() {
        let l = labels(&[("app", "db")]);
        assert!(map_selector_matches(Some(&labels(&[("app", "db")])), &l));
        assert!(!map_selector_matches(
            Some(&labels(&[("app", "db"), ("x", "y")])),
            &l
        ));
        assert!(!map_selector_matches(Some(&BTreeMap::new()), &l));
        assert!(!map_selector_matches(None, &l));
    }
}
