//! Backup evidence for a StatefulSet: a CronJob that reaches its pods (by pod
//! name, by the DNS name of any Service selecting them), names the
//! StatefulSet, or mounts its claims; a VolumeSnapshot of one of its claims;
//! or a Velero Schedule/Backup that covers its namespace and labels.

use std::collections::BTreeMap;

use crate::manifest::{string_map, Object};
use crate::selectors::selector_matches;
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
    /// Which of `labels` are the pod template labels (Services select on
    /// these).
    pub pod_labels: Option<usize>,
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
        let mut pod_labels = None;
        if let Some(l) = obj.pod().and_then(|p| p.labels) {
            pod_labels = Some(labels.len());
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

    /// The names a client reaches the pods by: the governing Service, the
    /// Services of the namespace selecting the pods (`selecting`, in canonical
    /// order), and the StatefulSet's own name. Deduplicated, governing Service
    /// first.
    pub fn hosts_with<'s>(&self, selecting: impl IntoIterator<Item = &'s str>) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        if let Some(s) = self.service {
            out.push(s.to_string());
        }
        out.extend(selecting.into_iter().map(str::to_string));
        out.push(self.name.to_string());
        out.retain(|h| !h.is_empty());
        let mut seen = std::collections::HashSet::new();
        out.retain(|h| seen.insert(h.clone()));
        out
    }

    /// What the word index is asked for (see [`crate::facts::backup`]): only
    /// jobs that mention the Service, a pod (`<name>-N`) or a claim can be
    /// evidence.
    pub fn prefixes(&self, hosts: &[String]) -> Vec<String> {
        let mut out = vec![format!("{}-", self.name)];
        out.extend(hosts.iter().cloned());
        for c in &self.claims {
            out.push(format!("{c}-{}-", self.name));
        }
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

/// The words the backup word index ([`crate::facts::backup`]) holds for a string of a pod
/// spec: split at anything but letters, digits, `-` and `_`.
pub fn index_words(s: &str) -> impl Iterator<Item = &str> {
    s.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
        .filter(|w| !w.is_empty())
}

/// Whether a CronJob's or Job's pods reach the StatefulSet (by pod name, by a
/// DNS name in `hosts`, see [`Target::hosts`]), name it, or mount one of its
/// claims.
pub fn job_backs_up(cj: &Object, t: &Target<'_>, hosts: &[&str]) -> bool {
    let same_ns = cj.namespace.as_deref() == t.namespace;
    JobReach::of(cj).is_some_and(|r| {
        reaches(
            r.texts.iter().copied(),
            r.claims.iter().copied(),
            t,
            hosts,
            same_ns,
        )
    })
}

/// What the pods of a CronJob or Job could reach a StatefulSet's data by.
pub struct JobReach<'n> {
    /// The strings of the containers' and init containers' `command` and
    /// `args`, and their env values, each with whether the variable's name
    /// says it holds an address (`HOST`, `URL` …).
    pub texts: Vec<(&'n str, bool)>,
    /// `volumes[].persistentVolumeClaim.claimName`
    pub claims: Vec<&'n str>,
}

impl<'n> JobReach<'n> {
    /// Of a CronJob or Job with a pod spec.
    pub fn of(cj: &'n Object) -> Option<JobReach<'n>> {
        if cj.kind != "CronJob" && cj.kind != "Job" {
            return None;
        }
        let spec = cj.at(cj.pod()?.spec_path)?;
        let mut texts = Vec::new();
        for list in ["containers", "initContainers"] {
            for c in spec.get(list).map(Node::items).unwrap_or_default() {
                for key in ["command", "args"] {
                    if let Some(n) = c.get(key) {
                        n.for_each_string(&mut |s, _| texts.push((s, false)));
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
                        texts.push((v, hosty));
                    }
                }
            }
        }
        let claims = spec
            .get("volumes")
            .map(Node::items)
            .unwrap_or_default()
            .iter()
            .filter_map(|v| {
                v.get("persistentVolumeClaim")
                    .and_then(|p| p.get("claimName"))
                    .and_then(Node::as_str)
            })
            .collect();
        Some(JobReach { texts, claims })
    }
}

/// Whether a job's texts and claims (see [`JobReach`]) reach `t`'s data;
/// `same_ns`: the job runs in `t`'s namespace.
pub fn reaches<'s>(
    mut texts: impl Iterator<Item = (&'s str, bool)>,
    mut claims: impl Iterator<Item = &'s str>,
    t: &Target<'_>,
    hosts: &[&str],
    same_ns: bool,
) -> bool {
    texts.any(|(s, host_var)| mentions(s, t, hosts, same_ns, host_var))
        || same_ns && claims.any(|c| is_claim_of(c, t))
}

/// The claim a VolumeSnapshot (`snapshot.storage.k8s.io`) copies; it backs
/// up `t` when it is in `t`'s namespace and the claim is one of `t`'s
/// ([`is_claim_of`]).
pub fn snapshot_claim(s: &Object) -> Option<&str> {
    if s.kind != "VolumeSnapshot" || s.group() != "snapshot.storage.k8s.io" {
        return None;
    }
    s.at("spec.source.persistentVolumeClaimName")
        .and_then(Node::as_str)
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

/// What a Velero Schedule or Backup covers.
pub struct VeleroScope<'n> {
    /// `includedNamespaces` (empty: every namespace).
    pub included: Vec<&'n str>,
    pub excluded: Vec<&'n str>,
    /// `labelSelector`, when set (`matchExpressions` that do not parse are
    /// left out).
    pub selector: Option<LabelSelector>,
}

impl<'n> VeleroScope<'n> {
    /// Of a Velero (`velero.io`) Schedule or Backup that has a spec.
    pub fn of(o: &'n Object) -> Option<VeleroScope<'n>> {
        if !matches!(o.kind.as_str(), "Schedule" | "Backup") || o.group() != "velero.io" {
            return None;
        }
        let spec = velero_spec(o)?;
        Some(VeleroScope {
            included: velero_list(spec, "includedNamespaces"),
            excluded: velero_list(spec, "excludedNamespaces"),
            selector: spec.get("labelSelector").map(|sel| LabelSelector {
                match_labels: sel.get("matchLabels").map(string_map),
                match_expressions: sel
                    .get("matchExpressions")
                    .and_then(|m| serde_json::from_value(m.to_json()).ok()),
            }),
        })
    }

    /// Whether it backs up objects of namespace `ns` labelled with one of
    /// `labels`.
    pub fn covers(&self, ns: Option<&str>, labels: &[BTreeMap<String, String>]) -> bool {
        let ns_ok =
            self.included.is_empty() || self.included.iter().any(|n| *n == "*" || Some(*n) == ns);
        // An object without a namespace lands wherever it is applied: only a
        // schedule that excludes nothing surely covers it.
        let excluded = match ns {
            Some(ns) => self.excluded.contains(&ns),
            None => !self.excluded.is_empty(),
        };
        let labels_ok = match &self.selector {
            None => true,
            Some(sel) => labels.iter().any(|l| selector_matches(sel, l)),
        };
        ns_ok && !excluded && labels_ok
    }
}

/// `<claim>-<sts>-<ordinal>`
pub fn is_claim_of(claim: &str, t: &Target<'_>) -> bool {
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
