//! Suppressions: findings a team has decided not to see, with where that
//! decision is written and why.
//!
//! - On an object, or on its pod template (charts often expose only
//!   `podAnnotations`): `stslint.io/ignore: rule-a, rule-b` (or `all`), the
//!   reason in `stslint.io/ignore-reason`.
//! - The peers' annotations, where a peer check maps to a stslint rule
//!   ([`PEERS`]): kube-linter, kube-score, Polaris and Checkov.
//! - A YAML comment `# stslint-ignore rule-a, rule-b: reason`: at the end of
//!   a line it covers that line; alone on its line, the next line that holds
//!   more than a comment.
//! - A baseline file (see [`crate::baseline`]).
//!
//! stslint's own suppressions that suppress nothing are reported as notes;
//! the peers' are not (they are written for the peer).

use crate::diagnostic::{Problem, ProblemKind};
use crate::manifest::Object;
use crate::source::{ByteSpan, FileId};
use crate::yaml::{Node, Value};

/// The annotation that suppresses rules on one object: a comma- or
/// space-separated list of rule ids, or `all`.
pub const IGNORE: &str = "stslint.io/ignore";
/// Why the rules in [`IGNORE`] are suppressed.
pub const IGNORE_REASON: &str = "stslint.io/ignore-reason";
/// The comment marker.
pub const COMMENT: &str = "stslint-ignore";

/// Where a suppression is written, as SARIF tells it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// In the linted source: an annotation or a comment.
    InSource,
    /// Outside it: a baseline.
    External,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::InSource => "inSource",
            Kind::External => "external",
        }
    }
}

/// Why a finding is not reported.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Suppression {
    pub kind: Kind,
    /// What suppressed it, e.g. "annotation `stslint.io/ignore` on the pod
    /// template".
    pub via: String,
    pub reason: Option<String>,
}

/// Which findings one written suppression covers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    /// `None`: every rule.
    pub rule: Option<&'static str>,
    /// A peer check that covers part of a rule: only the findings whose
    /// message mentions this.
    pub mentions: Option<&'static str>,
}

impl Target {
    pub fn covers(&self, rule: &str, message: &str) -> bool {
        self.rule.is_none_or(|r| r == rule) && self.mentions.is_none_or(|m| message.contains(m))
    }
}

/// One suppression written on an object: an annotation and what it names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Written {
    pub targets: Vec<Target>,
    /// e.g. "annotation `kube-score/ignore`".
    pub via: String,
    pub reason: Option<String>,
    /// stslint's own (its unused targets are reported).
    pub own: bool,
    /// The annotation's value.
    pub span: ByteSpan,
}

impl Written {
    pub fn suppression(&self) -> Suppression {
        Suppression {
            kind: Kind::InSource,
            via: self.via.clone(),
            reason: self.reason.clone(),
        }
    }
}

/// The metadata whose annotations count for an object: its own, and its pod
/// template's.
const METADATA: &[(&str, &str)] = &[
    ("metadata", ""),
    ("spec.template.metadata", " on the pod template"),
    (
        "spec.jobTemplate.spec.template.metadata",
        " on the pod template",
    ),
];

/// The peers' check ids that stslint honours: (peer check, stslint rule, the
/// text a finding must mention when the check covers part of the rule).
type PeerMap = &'static [(&'static str, &'static str, Option<&'static str>)];

/// kube-linter: `ignore-check.kube-linter.io/<check>: "<reason>"`.
const KUBE_LINTER: PeerMap = &[
    ("dangling-service", "dangling-selector", Some("Service `")),
    ("env-var-secret", "hardcoded-credential", None),
    ("latest-tag", "mutable-image-tag", None),
    ("liveness-port", "undeclared-probe-port", Some("liveness")),
    ("mismatching-selector", "selector-mismatch", None),
    ("no-anti-affinity", "missing-anti-affinity", None),
    ("no-liveness-probe", "missing-liveness-probe", None),
    ("no-readiness-probe", "missing-readiness-probe", None),
    ("pdb-max-unavailable", "pdb-blocks-eviction", None),
    ("pdb-min-available", "pdb-blocks-eviction", None),
    (
        "privilege-escalation-container",
        "missing-security-context",
        None,
    ),
    ("privileged-container", "privileged-container", None),
    ("readiness-port", "undeclared-probe-port", Some("readiness")),
    ("run-as-non-root", "missing-security-context", None),
    ("startup-port", "undeclared-probe-port", Some("startup")),
    ("unset-cpu-requirements", "missing-resources", Some("CPU")),
    (
        "unset-memory-requirements",
        "missing-resources",
        Some("memory"),
    ),
];

/// kube-score: `kube-score/ignore: check-a,check-b`.
const KUBE_SCORE: PeerMap = &[
    ("container-image-tag", "mutable-image-tag", None),
    ("container-resources", "missing-resources", None),
    (
        "container-security-context-privileged",
        "privileged-container",
        None,
    ),
    ("pod-probes", "missing-liveness-probe", None),
    ("pod-probes", "missing-readiness-probe", None),
    (
        "service-targets-pod",
        "dangling-selector",
        Some("Service `"),
    ),
    (
        "statefulset-has-host-podantiaffinity",
        "missing-anti-affinity",
        None,
    ),
    ("statefulset-has-poddisruptionbudget", "missing-pdb", None),
    ("deployment-has-poddisruptionbudget", "missing-pdb", None),
    (
        "deployment-has-host-podantiaffinity",
        "missing-anti-affinity",
        None,
    ),
    (
        "statefulset-has-servicename",
        "missing-headless-service",
        None,
    ),
    (
        "statefulset-pod-selector-labels-match-template-metadata-labels",
        "selector-mismatch",
        None,
    ),
];

/// Polaris: `polaris.fairwinds.com/<check>-exempt: "true"`.
const POLARIS: PeerMap = &[
    (
        "cpuRequestsMissing",
        "missing-resources",
        Some("CPU request"),
    ),
    ("livenessProbeMissing", "missing-liveness-probe", None),
    (
        "memoryLimitsMissing",
        "missing-resources",
        Some("memory limit"),
    ),
    (
        "memoryRequestsMissing",
        "missing-resources",
        Some("memory request"),
    ),
    ("missingPodDisruptionBudget", "missing-pdb", None),
    ("pdbDisruptionsIsZero", "pdb-blocks-eviction", None),
    (
        "privilegeEscalationAllowed",
        "missing-security-context",
        None,
    ),
    ("readinessProbeMissing", "missing-readiness-probe", None),
    ("runAsPrivileged", "privileged-container", None),
    ("runAsRootAllowed", "missing-security-context", None),
    ("sensitiveConfigmapContent", "hardcoded-credential", None),
    ("sensitiveContainerEnvVar", "hardcoded-credential", None),
    ("tagNotSpecified", "mutable-image-tag", None),
];

/// Checkov: `checkov.io/skip1: CKV_K8S_8=<reason>` (skip2, skip3 …).
const CHECKOV: PeerMap = &[
    ("CKV_K8S_8", "missing-liveness-probe", None),
    ("CKV_K8S_9", "missing-readiness-probe", None),
    ("CKV_K8S_10", "missing-resources", Some("CPU request")),
    ("CKV_K8S_12", "missing-resources", Some("memory request")),
    ("CKV_K8S_13", "missing-resources", Some("memory limit")),
    ("CKV_K8S_14", "mutable-image-tag", None),
    ("CKV_K8S_16", "privileged-container", None),
    ("CKV_K8S_20", "missing-security-context", None),
];

/// Every peer table, for the docs and the tests.
pub const PEERS: &[(&str, PeerMap)] = &[
    ("kube-linter", KUBE_LINTER),
    ("kube-score", KUBE_SCORE),
    ("Polaris", POLARIS),
    ("Checkov", CHECKOV),
];

fn peer_targets(map: PeerMap, check: &str) -> Vec<Target> {
    map.iter()
        .filter(|(c, _, _)| *c == check)
        .map(|&(_, rule, mentions)| Target {
            rule: Some(rule),
            mentions,
        })
        .collect()
}

fn all() -> Vec<Target> {
    vec![Target {
        rule: None,
        mentions: None,
    }]
}

/// Split a list of ids written by hand: commas, spaces, line breaks.
pub fn ids(list: &str) -> impl Iterator<Item = &str> {
    list.split([',', ' ', '\n', '\t', '\r'])
        .filter(|s| !s.is_empty())
}

/// What `stslint.io/ignore`'s value names, and the ids it does not know.
fn own_targets(list: &str) -> (Vec<Target>, Vec<String>) {
    let mut targets = Vec::new();
    let mut unknown = Vec::new();
    for id in ids(list) {
        if id == "all" {
            targets.push(Target {
                rule: None,
                mentions: None,
            });
        } else if let Some(m) = crate::rules::meta(id) {
            targets.push(Target {
                rule: Some(m.id),
                mentions: None,
            });
        } else {
            unknown.push(id.to_string());
        }
    }
    (targets, unknown)
}

fn unknown_ids_problem(file: FileId, span: ByteSpan, what: &str, unknown: &[String]) -> Problem {
    let suggestions: Vec<String> = unknown
        .iter()
        .filter_map(|u| {
            crate::config::did_you_mean(u, crate::rules::ALL.iter().map(|e| e.id))
                .map(|s| format!("`{u}` → `{s}`"))
        })
        .collect();
    let mut help = String::from("use rule ids from `stslint rules`, or `all`");
    if !suggestions.is_empty() {
        help = format!("did you mean {}? ({help})", suggestions.join(", "));
    }
    Problem {
        file,
        span: Some(span),
        kind: ProblemKind::Config,
        message: format!("{what} names unknown rule(s): {}", unknown.join(", ")),
        help: Some(help),
    }
}

/// The suppressions written on `obj`'s annotations, and the problems with
/// them (unknown rule ids). Cheap when there are none: most objects have no
/// annotation at all.
pub fn of_object(obj: &Object) -> (Vec<Written>, Vec<Problem>) {
    let mut written = Vec::new();
    let mut problems = Vec::new();
    for (path, where_) in METADATA {
        let Some(annotations) = obj.at(path).and_then(|m| m.get("annotations")) else {
            continue;
        };
        let Value::Map(entries) = &annotations.value else {
            continue;
        };
        let reason = annotations
            .get(IGNORE_REASON)
            .and_then(Node::as_str)
            .map(str::to_string);
        for e in entries {
            let Some(value) = e.value.as_str() else {
                continue;
            };
            let key = e.key.as_str();
            let via = format!("annotation `{key}`{where_}");
            let span = e.value.span;
            if key == IGNORE {
                let (targets, unknown) = own_targets(value);
                if !unknown.is_empty() {
                    let what = format!("`{IGNORE}`{where_} on {}", obj.display_name());
                    problems.push(unknown_ids_problem(obj.file, span, &what, &unknown));
                }
                if !targets.is_empty() {
                    written.push(Written {
                        targets,
                        via,
                        reason: reason.clone(),
                        own: true,
                        span,
                    });
                }
                continue;
            }
            let (targets, peer_reason) = peer(key, value);
            if !targets.is_empty() {
                written.push(Written {
                    targets,
                    via,
                    reason: peer_reason,
                    own: false,
                    span,
                });
            }
        }
    }
    (written, problems)
}

/// What a peer's annotation suppresses, and its reason.
fn peer(key: &str, value: &str) -> (Vec<Target>, Option<String>) {
    let text = |s: &str| {
        let s = s.trim();
        (!s.is_empty()).then(|| s.to_string())
    };
    if let Some(check) = key.strip_prefix("ignore-check.kube-linter.io/") {
        return (peer_targets(KUBE_LINTER, check), text(value));
    }
    if key == "kube-linter.io/ignore-all" {
        return (all(), text(value));
    }
    if key == "kube-score/ignore" {
        let targets = ids(value)
            .flat_map(|c| peer_targets(KUBE_SCORE, c))
            .collect();
        return (targets, None);
    }
    if let Some(rest) = key.strip_prefix("polaris.fairwinds.com/") {
        if !value.trim().eq_ignore_ascii_case("true") {
            return (Vec::new(), None);
        }
        if rest == "exempt" {
            return (all(), None);
        }
        if let Some(check) = rest.strip_suffix("-exempt") {
            return (peer_targets(POLARIS, check), None);
        }
        return (Vec::new(), None);
    }
    if key
        .strip_prefix("checkov.io/skip")
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
    {
        let (check, reason) = value.split_once('=').unwrap_or((value, ""));
        return (peer_targets(CHECKOV, check.trim()), text(reason));
    }
    (Vec::new(), None)
}

/// A `# stslint-ignore` comment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Comment {
    /// The comment, from its `#`.
    pub span: ByteSpan,
    /// The bytes of the line it covers.
    pub covers: ByteSpan,
    pub targets: Vec<Target>,
    pub reason: Option<String>,
}

impl Comment {
    pub fn suppression(&self) -> Suppression {
        Suppression {
            kind: Kind::InSource,
            via: format!("comment `# {COMMENT}`"),
            reason: self.reason.clone(),
        }
    }
}

/// The `# stslint-ignore` comments of a file, found by their text; the
/// caller drops those that turn out to be inside a string
/// ([`drop_inside_strings`]). Problems: a comment that names no rule or an
/// unknown one.
pub fn comments(file: FileId, text: &str) -> (Vec<Comment>, Vec<Problem>) {
    let mut out = Vec::new();
    let mut problems = Vec::new();
    for (at, _) in text.match_indices(COMMENT) {
        // `#`, then spaces, then the marker.
        let before = text[..at].trim_end_matches([' ', '\t']);
        let Some(hash) = before.strip_suffix('#').map(str::len) else {
            continue;
        };
        let line_start = text[..hash].rfind(['\n', '\r']).map_or(0, |i| i + 1);
        let lead = &text[line_start..hash];
        // YAML: a comment starts at a line's start or after a space.
        if !(lead.is_empty() || lead.ends_with([' ', '\t'])) {
            continue;
        }
        let line_end = text[at..].find(['\n', '\r']).map_or(text.len(), |i| at + i);
        let body = &text[at + COMMENT.len()..line_end];
        // `stslint-ignore-foo` is another word.
        if body.starts_with(|c: char| c == '-' || c.is_alphanumeric()) {
            continue;
        }
        let span = ByteSpan::new(hash, line_end);
        let (list, reason) = match body.split_once(':') {
            Some((l, r)) => (l, Some(r.trim()).filter(|r| !r.is_empty())),
            None => (body, None),
        };
        let (targets, unknown) = own_targets(list);
        if !unknown.is_empty() {
            problems.push(unknown_ids_problem(
                file,
                span,
                &format!("the comment `# {COMMENT}`"),
                &unknown,
            ));
        }
        if targets.is_empty() {
            if unknown.is_empty() {
                problems.push(Problem {
                    file,
                    span: Some(span),
                    kind: ProblemKind::Config,
                    message: format!("the comment `# {COMMENT}` names no rule"),
                    help: Some(format!(
                        "name the rules it suppresses, and why: `# {COMMENT} missing-pdb: one replica by design`, or `all`"
                    )),
                });
            }
            continue;
        }
        let own_line = lead.trim().is_empty();
        let covers = if own_line {
            next_content_line(text, line_end)
        } else {
            ByteSpan::new(line_start, line_end)
        };
        out.push(Comment {
            span,
            covers,
            targets,
            reason: reason.map(str::to_string),
        });
    }
    (out, problems)
}

/// The next line after `from` that holds more than spaces or a comment.
fn next_content_line(text: &str, from: usize) -> ByteSpan {
    let mut start = from;
    while start < text.len() {
        // Past the line break.
        let b = text.as_bytes()[start];
        if b == b'\n' || b == b'\r' {
            start += 1;
            continue;
        }
        let end = text[start..]
            .find(['\n', '\r'])
            .map_or(text.len(), |i| start + i);
        let t = text[start..end].trim();
        if !t.is_empty() && !t.starts_with('#') {
            return ByteSpan::new(start, end);
        }
        start = end;
    }
    ByteSpan::new(text.len(), text.len())
}

/// Drop the comments that are text inside one of `root`'s strings (a
/// ConfigMap's script, a block scalar), not YAML comments.
pub fn drop_inside_strings(comments: &mut Vec<Comment>, root: &Node) {
    if comments.is_empty() || !contains(root.span, comments) {
        return;
    }
    fn walk(node: &Node, comments: &mut Vec<Comment>) {
        match &node.value {
            Value::Seq(items) => items.iter().for_each(|n| walk(n, comments)),
            Value::Map(entries) => entries.iter().for_each(|e| walk(&e.value, comments)),
            Value::Str(_) => comments
                .retain(|c| !(node.span.start <= c.span.start && c.span.start < node.span.end)),
            _ => {}
        }
    }
    walk(root, comments);
}

fn contains(span: ByteSpan, comments: &[Comment]) -> bool {
    comments
        .iter()
        .any(|c| span.start <= c.span.start && c.span.start < span.end)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> (Vec<Comment>, Vec<Problem>) {
        comments(FileId(0), text)
    }

    #[test]
    fn a_trailing_comment_covers_its_line_and_a_lone_one_the_next_content_line() {
        let text = "kind: StatefulSet # stslint-ignore missing-pdb: one replica\n# stslint-ignore missing-backup, missing-anti-affinity\n\n# other\nspec: {}\n";
        let (c, p) = parse(text);
        assert!(p.is_empty(), "{p:?}");
        assert_eq!(c.len(), 2);
        assert_eq!(
            &text[c[0].covers.range()],
            "kind: StatefulSet # stslint-ignore missing-pdb: one replica"
        );
        assert_eq!(c[0].reason.as_deref(), Some("one replica"));
        assert_eq!(
            c[0].targets,
            vec![Target {
                rule: Some("missing-pdb"),
                mentions: None
            }]
        );
        assert_eq!(&text[c[1].covers.range()], "spec: {}");
        assert_eq!(c[1].reason, None);
        assert_eq!(c[1].targets.len(), 2);
    }

    #[test]
    fn not_a_comment_or_another_word_is_no_suppression() {
        let (c, p) = parse("a: b#stslint-ignore missing-pdb\nb: stslint-ignore missing-pdb\n# stslint-ignored missing-pdb\n");
        assert!(c.is_empty() && p.is_empty(), "{c:?} {p:?}");
    }

    #[test]
    fn unknown_and_missing_rule_ids_are_problems_with_a_suggestion() {
        let (c, p) =
            parse("# stslint-ignore missing-pbd: typo\n# stslint-ignore: no rule\nkind: x\n");
        assert!(c.is_empty());
        assert_eq!(p.len(), 2);
        assert_eq!(
            p[0].message,
            "the comment `# stslint-ignore` names unknown rule(s): missing-pbd"
        );
        assert!(
            p[0].help
                .as_deref()
                .is_some_and(|h| h.contains("`missing-pdb`")),
            "{:?}",
            p[0].help
        );
        assert_eq!(p[1].message, "the comment `# stslint-ignore` names no rule");
    }

    #[test]
    fn every_peer_check_maps_to_a_rule_that_exists() {
        for (peer, map) in PEERS {
            for (check, rule, _) in *map {
                assert!(
                    crate::rules::meta(rule).is_some(),
                    "{peer} {check} → {rule}"
                );
            }
        }
    }

    #[test]
    fn peer_annotations() {
        let (t, r) = peer(
            "ignore-check.kube-linter.io/no-anti-affinity",
            "spread by the operator",
        );
        assert_eq!(
            t,
            vec![Target {
                rule: Some("missing-anti-affinity"),
                mentions: None
            }]
        );
        assert_eq!(r.as_deref(), Some("spread by the operator"));
        let (t, _) = peer("kube-score/ignore", "pod-probes, container-image-tag");
        let rules: Vec<_> = t.iter().map(|t| t.rule).collect();
        assert_eq!(
            rules,
            [
                Some("missing-liveness-probe"),
                Some("missing-readiness-probe"),
                Some("mutable-image-tag")
            ]
        );
        assert_eq!(
            peer(
                "polaris.fairwinds.com/missingPodDisruptionBudget-exempt",
                "false"
            )
            .0,
            vec![]
        );
        assert_eq!(peer("polaris.fairwinds.com/exempt", "true").0, all());
        let (t, r) = peer("checkov.io/skip2", "CKV_K8S_13=sized by the operator");
        assert_eq!(
            t,
            vec![Target {
                rule: Some("missing-resources"),
                mentions: Some("memory limit")
            }]
        );
        assert_eq!(r.as_deref(), Some("sized by the operator"));
        assert_eq!(peer("checkov.io/skipper", "CKV_K8S_8").0, vec![]);
    }
}
