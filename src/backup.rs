//! Backup evidence for a StatefulSet: a CronJob that reaches its pods (by pod
//! name, by the DNS name of any Service selecting them), names the
//! StatefulSet, or mounts its claims; a VolumeSnapshot of one of its claims;
//! or a Velero Schedule/Backup that covers its namespace and labels.

use std::collections::BTreeMap;

use crate::index::{selector_matches, Index};
use crate::manifest::{string_map, Object};
use crate::yaml::Node;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;

/// What identifies a StatefulSet's data.
pub struct Target<'a> {
    pub name: &'a str,
    pub namespace: Option<&'a str>,
    pub service: Option<&'a str>,
    /// volumeClaimTemplate names; claims are `<claim>-<name>-<ordinal>`.
    pub claims: Vec<&'a str>,
    /// Labels of the StatefulSet and of its pods (Velero selects on either).
    pub labels: Vec<BTreeMap<String, String>>,
    /// The pod template labels (Services select on these).
    pub pod_labels: Option<&'a BTreeMap<String, String>>,
}

impl<'a> Target<'a> {
    pub fn of(obj: &'a Object) -> Option<Target<'a>> {
        let sts = obj.statefulset()?;
        // A StatefulSet without a name cannot be applied, and names nothing.
        if obj.name.is_empty() {
            return None;
        }
        let claims: Vec<&str> = sts
            .spec
            .volume_claim_templates
            .iter()
            .flatten()
            .filter_map(|t| t.metadata.name.as_deref())
            .collect();
        let mut labels = Vec::new();
        if let Some(l) = obj.labels() {
            labels.push(l);
        }
        let pod_labels = obj.pod().and_then(|p| p.labels);
        if let Some(l) = pod_labels {
            labels.push(l.clone());
        }
        Some(Target {
            name: &obj.name,
            namespace: obj.namespace.as_deref(),
            service: sts.spec.service_name.as_deref().filter(|s| !s.is_empty()),
            claims,
            labels,
            pod_labels,
        })
    }

    /// The names a client reaches the pods by: the governing Service, every
    /// Service of the namespace selecting the pods, and the StatefulSet's own
    /// name. Deduplicated, governing Service first.
    pub fn hosts(&self, index: &Index<'_>) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        if let Some(s) = self.service {
            out.push(s.to_string());
        }
        if let Some(l) = self.pod_labels {
            for svc in index.services_selecting(self.namespace, l) {
                out.push(svc.name.clone());
            }
        }
        out.push(self.name.to_string());
        out.retain(|h| !h.is_empty());
        let mut seen = std::collections::HashSet::new();
        out.retain(|h| seen.insert(h.clone()));
        out
    }

    /// What was looked for, for messages.
    pub fn describe(&self) -> String {
        let mut reach = vec![format!("`{}-N.<service>`", self.name)];
        if let Some(s) = self.service {
            reach = vec![format!("`{}-N.{s}`", self.name), format!("`{s}`")];
        }
        reach.push("any Service selecting them".into());
        let claims: Vec<String> = self
            .claims
            .iter()
            .map(|c| format!("`{c}-{}-N`", self.name))
            .collect();
        let ns = self
            .namespace
            .map_or("its namespace".to_string(), |n| format!("namespace `{n}`"));
        format!(
            "a CronJob that reaches its pods ({}), names StatefulSet `{}`, or mounts {}; a VolumeSnapshot of {}; or a Velero Schedule/Backup covering {ns}",
            reach.join(", "),
            self.name,
            claims.join(" or "),
            claims.join(" or ")
        )
    }
}

/// The first object that backs up `t`, if any.
pub fn find<'a>(index: &Index<'a>, t: &Target<'_>) -> Option<&'a Object> {
    cronjobs(index, t)
        .into_iter()
        .next()
        .or_else(|| {
            let mut snapshots: Vec<&Object> = t
                .claims
                .iter()
                .flat_map(|c| index.snapshots_of_claims(t.namespace, &format!("{c}-{}-", t.name)))
                .collect();
            // Canonical order across claims: objects live in one slice.
            snapshots.sort_by_key(|o| std::ptr::from_ref(*o) as usize);
            snapshots.into_iter().find(|s| snapshot_backs_up(s, t))
        })
        .or_else(|| {
            index
                .velero_candidates(t.namespace, &t.labels)
                .into_iter()
                .find(|o| velero_covers(o, t))
        })
}

/// The CronJobs that back up `t`, in input order.
pub fn cronjobs<'a>(index: &Index<'a>, t: &Target<'_>) -> Vec<&'a Object> {
    let mut jobs = jobs(index, t);
    jobs.retain(|j| j.kind == "CronJob");
    jobs
}

/// The CronJobs and Jobs whose pods reach `t`'s data, in input order.
pub fn jobs<'a>(index: &Index<'a>, t: &Target<'_>) -> Vec<&'a Object> {
    // Only CronJobs that mention the Service, a pod (`<name>-N`) or a claim
    // can be evidence; the index finds those without scanning them all.
    let hosts = t.hosts(index);
    let hosts: Vec<&str> = hosts.iter().map(String::as_str).collect();
    let mut candidates = index.mentioning(&format!("{}-", t.name));
    for h in &hosts {
        candidates.extend(index.mentioning(h));
    }
    for c in &t.claims {
        candidates.extend(index.mentioning(&format!("{c}-{}-", t.name)));
    }
    let key = |o: &&Object| std::ptr::from_ref(*o) as usize;
    candidates.sort_by_key(key);
    candidates.dedup_by_key(|o| key(o));
    candidates.retain(|cj| job_backs_up(cj, t, &hosts));
    candidates
}

/// Whether a CronJob's or Job's pods reach the StatefulSet (by pod name, by a
/// DNS name in `hosts`, see [`Target::hosts`]), name it, or mount one of its
/// claims.
pub fn job_backs_up(cj: &Object, t: &Target<'_>, hosts: &[&str]) -> bool {
    if cj.kind != "CronJob" && cj.kind != "Job" {
        return false;
    }
    let Some(pod) = cj.pod() else { return false };
    let Some(spec) = cj.at(pod.spec_path) else {
        return false;
    };
    let same_ns = cj.namespace.as_deref() == t.namespace;
    let mut hit = false;
    for list in ["containers", "initContainers"] {
        for c in spec.get(list).map(Node::items).unwrap_or_default() {
            for key in ["command", "args"] {
                if let Some(n) = c.get(key) {
                    n.for_each_string(&mut |s, _| hit |= mentions(s, t, hosts, same_ns, false));
                }
            }
            for e in c.get("env").map(Node::items).unwrap_or_default() {
                let name = e
                    .get("name")
                    .and_then(Node::as_str)
                    .unwrap_or_default()
                    .to_ascii_uppercase();
                let hosty = ["HOST", "ADDR", "SERVER", "ENDPOINT", "URL", "URI", "DSN"]
                    .iter()
                    .any(|h| name.contains(h));
                if let Some(v) = e.get("value").and_then(Node::as_str) {
                    hit |= mentions(v, t, hosts, same_ns, hosty);
                }
            }
        }
    }
    for v in spec.get("volumes").map(Node::items).unwrap_or_default() {
        if let Some(claim) = v
            .get("persistentVolumeClaim")
            .and_then(|p| p.get("claimName"))
            .and_then(Node::as_str)
        {
            hit |= same_ns && is_claim_of(claim, t);
        }
    }
    hit
}

fn snapshot_backs_up(s: &Object, t: &Target<'_>) -> bool {
    s.group() == "snapshot.storage.k8s.io"
        && s.namespace.as_deref() == t.namespace
        && s.at("spec.source.persistentVolumeClaimName")
            .and_then(Node::as_str)
            .is_some_and(|c| is_claim_of(c, t))
}

/// What a Velero Schedule (its `spec.template`) or Backup (its `spec`) backs up.
pub fn velero_spec(o: &Object) -> Option<&Node> {
    if o.kind == "Schedule" {
        o.at("spec.template")
    } else {
        o.at("spec")
    }
}

/// The strings of the list at `key` of a Velero spec (`includedNamespaces` …).
pub fn velero_list<'n>(spec: &'n Node, key: &str) -> Vec<&'n str> {
    spec.get(key)
        .map(Node::items)
        .unwrap_or_default()
        .iter()
        .filter_map(Node::as_str)
        .collect()
}

fn velero_covers(o: &Object, t: &Target<'_>) -> bool {
    let Some(spec) = velero_spec(o) else {
        return false;
    };
    let list = |k: &str| velero_list(spec, k);
    let included = list("includedNamespaces");
    let ns_ok = included.is_empty()
        || included
            .iter()
            .any(|n| *n == "*" || Some(*n) == t.namespace);
    // An object without a namespace lands wherever it is applied: only a
    // schedule that excludes nothing surely covers it.
    let excluded = match t.namespace {
        Some(ns) => list("excludedNamespaces").contains(&ns),
        None => !list("excludedNamespaces").is_empty(),
    };
    let labels_ok = match spec.get("labelSelector") {
        None => true,
        Some(sel) => {
            let sel = LabelSelector {
                match_labels: sel.get("matchLabels").map(string_map),
                match_expressions: sel
                    .get("matchExpressions")
                    .and_then(|m| serde_json::from_value(m.to_json()).ok()),
            };
            t.labels.iter().any(|l| selector_matches(&sel, l))
        }
    };
    ns_ok && !excluded && labels_ok
}

/// `<claim>-<sts>-<ordinal>`
fn is_claim_of(claim: &str, t: &Target<'_>) -> bool {
    t.claims.iter().any(|c| {
        claim
            .strip_prefix(c)
            .and_then(|r| r.strip_prefix('-'))
            .and_then(|r| r.strip_prefix(t.name))
            .and_then(|r| r.strip_prefix('-'))
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
    })
}

fn is_name_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'-' || c == b'_'
}

/// Whether text names the StatefulSet's pods, claims or the StatefulSet
/// itself, or uses one of `hosts` as a host name.
fn mentions(text: &str, t: &Target<'_>, hosts: &[&str], same_ns: bool, host_var: bool) -> bool {
    let ns_given = |text: &str| {
        t.namespace.is_some_and(|ns| {
            [
                format!("-n {ns}"),
                format!("-n={ns}"),
                format!("--namespace {ns}"),
                format!("--namespace={ns}"),
            ]
            .iter()
            .any(|f| text.contains(f.as_str()))
        })
    };
    let here = same_ns || ns_given(text);
    let words = || text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '/'));
    // `<claim>-<sts>-N` (a volume path), `<sts>-N` (a pod, as in `kubectl
    // exec db-0`), `statefulset/<sts>` (kubectl's resource/name form).
    if here
        && words().any(|w| {
            let w = w.trim_matches('/');
            is_claim_of(w.rsplit('/').next().unwrap_or(w), t)
                || is_pod_of(w, t)
                || ["statefulset/", "statefulsets/", "sts/", "statefulset.apps/"]
                    .iter()
                    .any(|p| w.strip_prefix(p) == Some(t.name))
        })
    {
        return true;
    }
    hosts
        .iter()
        .any(|h| names_host(text, h, t, same_ns, host_var))
}

/// `<sts>-N`
fn is_pod_of(word: &str, t: &Target<'_>) -> bool {
    word.strip_prefix(t.name)
        .and_then(|r| r.strip_prefix('-'))
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// Whether `text` uses `host` as a host name: after a host flag, in a URL,
/// with a port, as `name.ns.svc…`, as the pod DNS name `<sts>-N.<host>`, or as
/// the whole value of a host-like env var.
fn names_host(text: &str, host: &str, t: &Target<'_>, same_ns: bool, host_var: bool) -> bool {
    if host.is_empty() {
        return false; // an empty needle matches everywhere, and never moves on
    }
    let b = text.as_bytes();
    let mut from = 0;
    while let Some(i) = text[from..].find(host) {
        let at = from + i;
        let end = at + host.len();
        from = end;
        let before = if at == 0 { None } else { Some(b[at - 1]) };
        if before.is_some_and(|c| is_name_char(c) && c != b'-') {
            continue;
        }
        if end < b.len() && is_name_char(b[end]) {
            continue;
        }
        // `<sts>-N.<host>`: a pod of this StatefulSet by its stable DNS name
        let pod_dns = before == Some(b'.') && {
            let head = &text[..at - 1];
            let digits = head.len() - head.trim_end_matches(|c: char| c.is_ascii_digit()).len();
            digits > 0 && head[..head.len() - digits].ends_with(&format!("{}-", t.name))
        };
        if before.is_some_and(|c| c == b'-' || c == b'.') && !pod_dns {
            continue;
        }
        let after = &text[end..];
        let ns_ok = same_ns
            || t.namespace
                .is_some_and(|ns| after.starts_with(&format!(".{ns}")));
        if !ns_ok {
            continue;
        }
        let prefix = text[..at].trim_end();
        const FLAGS: &[&str] = &[
            "-h",
            "-H",
            "--host",
            "--hostname",
            "--server",
            "--addr",
            "--address",
            "--endpoints",
            "--bootstrap-server",
        ];
        let flag = FLAGS.iter().any(|f| {
            prefix == *f
                || prefix.ends_with(&format!(" {f}"))
                || prefix.ends_with(&format!("{f}="))
                || prefix.ends_with(&format!("\t{f}"))
        });
        let host_context = pod_dns
            || flag
            || after.starts_with(':') && after[1..].starts_with(|c: char| c.is_ascii_digit())
            || after.starts_with('.')
            || prefix.ends_with('@')
            || prefix.ends_with("//")
            || prefix.ends_with("host=")
            || (host_var && prefix.is_empty());
        if host_context {
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target() -> Target<'static> {
        Target {
            name: "pg",
            namespace: Some("db"),
            service: Some("pg-headless"),
            claims: vec!["data"],
            labels: vec![],
            pod_labels: None,
        }
    }

    const HOSTS: &[&str] = &["pg-headless", "pg-client", "pg"];

    fn mentions(text: &str, t: &Target<'_>, same_ns: bool, host_var: bool) -> bool {
        super::mentions(text, t, HOSTS, same_ns, host_var)
    }

    #[test]
    fn hosts_and_claims() {
        let t = target();
        assert!(mentions(
            "pg_dump -h pg-0.pg-headless -U app",
            &t,
            true,
            false
        ));
        assert!(mentions("pg_dump -h pg-headless -U app", &t, true, false));
        assert!(mentions("pg_dump --host=pg-headless", &t, true, false));
        assert!(mentions(
            "postgres://app@pg-headless:5432/app",
            &t,
            true,
            false
        ));
        assert!(mentions(
            "pg-headless.db.svc.cluster.local",
            &t,
            false,
            false
        ));
        assert!(mentions("pg-headless", &t, true, true));
        assert!(!mentions("pg-headless", &t, true, false));
        assert!(!mentions("pg_dump -U pg-headless-user", &t, true, false));
        assert!(
            !mentions("pg_dump -h pg-headless", &t, false, false),
            "another namespace needs `.db`"
        );
        assert!(mentions("restic backup /mnt/data-pg-0", &t, true, false));
        assert!(is_claim_of("data-pg-2", &t));
        assert!(!is_claim_of("data-pg-x", &t));
        assert!(!is_claim_of("data-pgx-1", &t));
    }

    #[test]
    fn an_empty_name_names_nothing() {
        let t = target();
        assert!(!names_host(
            "pg_dump -h pg-0.pg-headless",
            "",
            &t,
            true,
            false
        ));
    }

    #[test]
    fn any_service_selecting_the_pods_and_the_statefulset_itself() {
        let t = target();
        assert!(mentions("mysqldump -h pg-client app", &t, true, false));
        assert!(mentions(
            "rabbitmqadmin -H pg-client export x",
            &t,
            true,
            false
        ));
        assert!(mentions(
            "pg_dump --host pg-client.db.svc.cluster.local",
            &t,
            false,
            false
        ));
        assert!(mentions(
            "kubectl exec pg-0 -- pg_dump app",
            &t,
            true,
            false
        ));
        assert!(mentions(
            "kubectl exec -n db statefulset/pg -- pg_dump",
            &t,
            false,
            false
        ));
        assert!(mentions("pg_dump -h pg -U app", &t, true, false));
        assert!(
            !mentions("kubectl exec statefulset/pg -- pg_dump", &t, false, false),
            "another namespace, not named"
        );
        assert!(
            !mentions("echo pg-client", &t, true, false),
            "not in a host position"
        );
        assert!(!mentions("kubectl exec pg-x -- true", &t, true, false));
    }
}
