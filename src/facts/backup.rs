//! Facts of StatefulSets, Services and the objects that back StatefulSets up,
//! for `missing-headless-service`, `missing-backup` and `unsafe-backup-job`.
//!
//! Everything these rules decide from one object alone is decided here, while
//! its file is read; what is left is matching names and labels across objects.

use std::collections::{BTreeMap, HashMap, HashSet};

use rayon::prelude::*;

use k8s_openapi::api::core::v1::Service;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, LabelSelectorRequirement};

use crate::backup::{JobReach, Target, VeleroScope};
use crate::catalog::{cache_only, container_store};
use crate::facts::{equal_run, trim, Extract, Facts, ObjId, Slice, Sym};
use crate::manifest::{Object, Typed};
use crate::path::{join_key, locate};
use crate::source::{ByteSpan, FileId};

/// What one file contributes.
#[derive(Default)]
pub struct FileBackup {
    /// Typed StatefulSets, in file order.
    pub sts: Vec<StsFact>,
    /// Objects of kind `Service` (typed or not), in file order.
    pub services: Vec<SvcFact>,
    /// Typed Jobs and CronJobs, in file order.
    pub jobs: Vec<JobFact>,
    /// CSI VolumeSnapshots that name their source claim, in file order.
    pub snapshots: Vec<SnapshotFact>,
    /// Velero Schedules and Backups that have a spec, in file order.
    pub velero: Vec<VeleroFact>,
    /// Label maps: (key, value) in key order (as a `BTreeMap` iterates).
    pub pairs: Vec<(Sym, Sym)>,
    /// Lists of label maps.
    pub maps: Vec<Slice>,
    /// Lists of strings (claim names, words, namespaces).
    pub syms: Vec<Sym>,
    /// Texts of jobs (see [`JobReach::texts`]).
    pub texts: Vec<(Sym, bool)>,
}

impl FileBackup {
    fn push_labels(&mut self, x: &Extract<'_>, m: &BTreeMap<String, String>) -> Slice {
        let start = self.pairs.len() as u32;
        self.pairs
            .extend(m.iter().map(|(k, v)| (x.sym(k), x.sym(v))));
        Slice {
            start,
            len: m.len() as u32,
        }
    }

    fn push_syms(&mut self, x: &Extract<'_>, list: &[&str]) -> Slice {
        let start = self.syms.len() as u32;
        self.syms.extend(list.iter().map(|s| x.sym(s)));
        Slice {
            start,
            len: self.syms.len() as u32 - start,
        }
    }

    pub fn labels(&self, s: Slice) -> &[(Sym, Sym)] {
        &self.pairs[s.range()]
    }

    pub fn maps(&self, s: Slice) -> &[Slice] {
        &self.maps[s.range()]
    }

    pub fn syms(&self, s: Slice) -> &[Sym] {
        &self.syms[s.range()]
    }

    pub fn texts(&self, s: Slice) -> &[(Sym, bool)] {
        &self.texts[s.range()]
    }
}

/// A typed StatefulSet.
pub struct StsFact {
    /// The object's place in its file.
    pub local: u32,
    /// T `spec.serviceName` ("" when unset).
    pub service_name: Sym,
    /// `spec.serviceName`: its value when the name is set, else its key (or
    /// nearest parent).
    pub service_name_at: ByteSpan,
    /// The pod template, when there is one (`Object::pod`).
    pub pod: Option<PodFact>,
    /// [`Target::of`]: when the StatefulSet has a name.
    pub target: Option<TargetFact>,
}

/// A [`Target`] as facts.
pub struct TargetFact {
    pub claims: Slice,
    /// Label maps (into `maps`).
    pub labels: Slice,
    pub pod_labels: Option<u32>,
    /// `missing-backup` looks for a backup (the StatefulSet has claims and is
    /// not known to hold only caches): the key of `spec.volumeClaimTemplates`.
    pub needs_backup: Option<ByteSpan>,
}

/// A typed Job or CronJob.
pub struct JobFact {
    pub local: u32,
    pub cron: bool,
    /// [`JobReach`] (with the words of its whole pod spec for the word
    /// index), when it has a pod spec.
    pub reach: Option<ReachFact>,
    /// CronJob: what it lacks to be a safe backup schedule.
    pub unsafe_cron: Option<UnsafeCron>,
    /// Job: what it lacks to be a bounded backup Job.
    pub unbounded_job: Option<UnboundedJob>,
}

pub struct ReachFact {
    /// Distinct [`crate::backup::index_words`] of every string of the pod spec.
    pub words: Slice,
    /// Distinct texts (into `texts`).
    pub texts: Slice,
    pub claims: Slice,
}

/// The missing settings of a backup CronJob (bits of [`CRON_MISSING`]), and
/// where the first is.
#[derive(Clone, Copy)]
pub struct UnsafeCron {
    pub missing: u8,
    pub at: ByteSpan,
}

/// The missing bounds of a Job (bits of [`JOB_MISSING`]), why it is a backup
/// Job when that is known locally, and the key of `spec`.
#[derive(Clone, Copy)]
pub struct UnboundedJob {
    pub missing: u8,
    /// Index in [`BACKUP_TOOLS`] of the backup tool it runs.
    pub tool: Option<u8>,
    /// Its name says it is a backup.
    pub named: bool,
    pub spec_key: ByteSpan,
}

pub struct SnapshotFact {
    pub local: u32,
    pub claim: Sym,
}

/// A [`VeleroScope`] as facts.
pub struct VeleroFact {
    pub local: u32,
    pub included: Slice,
    pub excluded: Slice,
    pub selector: Option<SelectorFact>,
}

pub struct SelectorFact {
    pub match_labels: Option<Slice>,
    pub match_expressions: Option<Box<[LabelSelectorRequirement]>>,
}

/// The pod template of a StatefulSet.
pub struct PodFact {
    /// The first container's data store (`container_store`, init containers
    /// left out): its display name and whether it is a quorum.
    pub store: Option<(&'static str, bool)>,
    /// `missing-headless-service` reports at error severity.
    pub clustered: bool,
    /// T pod template labels.
    pub labels: Option<Slice>,
    /// The key of `spec.template.metadata.labels` (or its nearest parent).
    pub labels_key: ByteSpan,
}

/// An object of kind `Service`.
pub struct SvcFact {
    pub local: u32,
    /// The key of `metadata.name` (or its nearest parent).
    pub name_key: ByteSpan,
    /// Only for typed Services.
    pub typed: Option<TypedSvc>,
}

/// What is read from a typed Service.
pub struct TypedSvc {
    /// T `spec.clusterIP` is `None`.
    pub headless: bool,
    /// T `spec.type` when NodePort or LoadBalancer.
    pub exposed: Option<Exposed>,
    /// The key of `spec.type` if exposed, else of `spec.clusterIP` if set,
    /// else of `spec`.
    pub cluster_ip_at: ByteSpan,
    /// T `spec.selector`.
    pub selector: Option<Slice>,
    /// The key of `spec.selector` when non-empty, else of `spec`.
    pub selector_at: ByteSpan,
    /// T `spec.publishNotReadyAddresses` is true.
    pub publishes_not_ready: bool,
    /// It selects pods: it has a spec that is not of type ExternalName, and
    /// a non-empty `spec.selector` (whose key is `selector_at`).
    pub selects_pods: bool,
    /// The key of the tolerate-unready annotation, when it is a string.
    pub tolerate_unready_at: Option<ByteSpan>,
}

/// A Service type that exposes pods outside the cluster (and cannot be
/// headless).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exposed {
    NodePort,
    LoadBalancer,
}

impl Exposed {
    pub fn name(self) -> &'static str {
        match self {
            Exposed::NodePort => "NodePort",
            Exposed::LoadBalancer => "LoadBalancer",
        }
    }
}

/// The annotation that published not-ready pods before
/// `publishNotReadyAddresses`; Kubernetes 1.24 stopped reading it.
pub const TOLERATE_UNREADY: &str = "service.alpha.kubernetes.io/tolerate-unready-endpoints";

pub fn extract(obj: &Object, x: &Extract<'_>, local: u32, out: &mut FileBackup) {
    if obj.kind == "Service" {
        let typed = match &obj.typed {
            Typed::Service(s) => Some(typed_service(obj, s, x, out)),
            _ => None,
        };
        out.services.push(SvcFact {
            local,
            name_key: locate(&obj.node, "metadata.name", false).0,
            typed,
        });
    }
    if let Some(sts) = obj.statefulset() {
        let name = sts.spec.service_name.as_deref().unwrap_or_default();
        let pod = obj.pod().map(|pod| {
            let store = pod
                .containers(false)
                .iter()
                .find_map(|c| container_store(c.container));
            PodFact {
                store: store.map(|s| (s.name, s.quorum)),
                clustered: store.is_some()
                    || (!name.is_empty() && uses_pod_dns(obj, pod.spec_path, name)),
                labels: pod.labels.map(|l| out.push_labels(x, l)),
                labels_key: locate(&obj.node, pod.labels_path, false).0,
            }
        });
        let pod_labels = pod.as_ref().and_then(|p| p.labels);
        let target = Target::of(obj).map(|t| target_fact(obj, &t, pod_labels, x, out));
        out.sts.push(StsFact {
            local,
            service_name: x.sym(name),
            service_name_at: locate(&obj.node, "spec.serviceName", !name.is_empty()).0,
            pod,
            target,
        });
    }
    if let Some(job) = job_fact(obj, x, local, out) {
        out.jobs.push(job);
    }
    if let Some(claim) = crate::backup::snapshot_claim(obj) {
        out.snapshots.push(SnapshotFact {
            local,
            claim: x.sym(claim),
        });
    }
    if let Some(v) = VeleroScope::of(obj) {
        let included = out.push_syms(x, &v.included);
        let excluded = out.push_syms(x, &v.excluded);
        let selector = v.selector.map(|sel| SelectorFact {
            match_labels: sel.match_labels.map(|m| out.push_labels(x, &m)),
            match_expressions: sel.match_expressions.map(Vec::into_boxed_slice),
        });
        out.velero.push(VeleroFact {
            local,
            included,
            excluded,
            selector,
        });
    }
}

/// `pod_labels`: the pod template labels, already recorded (the same map as
/// `t.labels[t.pod_labels]`).
fn target_fact(
    obj: &Object,
    t: &Target<'_>,
    pod_labels: Option<Slice>,
    x: &Extract<'_>,
    out: &mut FileBackup,
) -> TargetFact {
    let claims = out.push_syms(x, &t.claims);
    let maps: Vec<Slice> = t
        .labels
        .iter()
        .enumerate()
        .map(|(i, l)| match pod_labels {
            Some(s) if Some(i) == t.pod_labels => s,
            _ => out.push_labels(x, l),
        })
        .collect();
    let start = out.maps.len() as u32;
    out.maps.extend(maps);
    // Caches and state rebuilt from object storage need no backup.
    let containers = obj.pod().map(|p| p.containers(false)).unwrap_or_default();
    let store = containers.iter().find_map(|c| container_store(c.container));
    let cache = store.is_none() && containers.iter().any(|c| cache_only(c.container).is_some());
    TargetFact {
        claims,
        labels: Slice {
            start,
            len: t.labels.len() as u32,
        },
        pod_labels: t.pod_labels.map(|i| i as u32),
        needs_backup: (!t.claims.is_empty() && !cache)
            .then(|| locate(&obj.node, "spec.volumeClaimTemplates", false).0),
    }
}

fn job_fact(obj: &Object, x: &Extract<'_>, local: u32, out: &mut FileBackup) -> Option<JobFact> {
    let (cron, unsafe_cron, unbounded_job) = match &obj.typed {
        Typed::CronJob(c) => (true, unsafe_cron(obj, c), None),
        Typed::Job(j) => (false, None, unbounded_job(obj, j)),
        _ => return None,
    };
    let reach = JobReach::of(obj).map(|r| {
        let mut words = Vec::new();
        let mut seen = HashSet::new();
        if let Some(spec) = obj.pod().and_then(|p| obj.at(p.spec_path)) {
            spec.for_each_string(&mut |s, _| {
                words.extend(crate::backup::index_words(s).filter(|w| seen.insert(*w)));
            });
        }
        let words = out.push_syms(x, &words);
        let mut seen = HashSet::new();
        let texts: Vec<(&str, bool)> = r
            .texts
            .iter()
            .copied()
            .filter(|t| seen.insert(*t))
            .collect();
        let start = out.texts.len() as u32;
        out.texts
            .extend(texts.iter().map(|&(t, host_var)| (x.sym(t), host_var)));
        let texts = Slice {
            start,
            len: out.texts.len() as u32 - start,
        };
        let claims = out.push_syms(x, &r.claims);
        ReachFact {
            words,
            texts,
            claims,
        }
    });
    if reach.is_none() && unbounded_job.is_none() {
        return None;
    }
    Some(JobFact {
        local,
        cron,
        reach,
        unsafe_cron,
        unbounded_job,
    })
}

/// What a backup CronJob may lack, in the order reported: the message, and
/// the field pointed at when it is the first missing.
pub const CRON_MISSING: [(&str, &str); 5] = [
    (
        "`concurrencyPolicy: Forbid` (with Allow, a slow backup overlaps the next; with Replace, it is killed)",
        "spec.concurrencyPolicy",
    ),
    (
        "`concurrencyPolicy: Forbid` (the default, Allow, lets a slow backup overlap the next)",
        "spec.concurrencyPolicy",
    ),
    (
        "`startingDeadlineSeconds` (a missed schedule may start at a busy hour, or after 100 misses never again)",
        "spec.startingDeadlineSeconds",
    ),
    (
        "`jobTemplate.spec.activeDeadlineSeconds` (a hung dump holds locks and blocks the next run forever)",
        "spec.jobTemplate.spec.activeDeadlineSeconds",
    ),
    (
        "`jobTemplate.spec.backoffLimit` (the default retries six times against a database that may be struggling)",
        "spec.jobTemplate.spec.backoffLimit",
    ),
];

fn unsafe_cron(obj: &Object, c: &k8s_openapi::api::batch::v1::CronJob) -> Option<UnsafeCron> {
    let job = c.spec.job_template.spec.as_ref();
    let missing = [
        c.spec
            .concurrency_policy
            .as_deref()
            .is_some_and(|p| p != "Forbid"),
        c.spec.concurrency_policy.is_none(),
        c.spec.starting_deadline_seconds.is_none(),
        job.and_then(|j| j.active_deadline_seconds).is_none(),
        job.and_then(|j| j.backoff_limit).is_none(),
    ];
    let first = missing.iter().position(|m| *m)?;
    // A concurrencyPolicy other than Forbid is pointed at by its value.
    let at = locate(&obj.node, CRON_MISSING[first].1, first == 0).0;
    Some(UnsafeCron {
        missing: bits(&missing),
        at,
    })
}

/// What a backup Job may lack, in the order reported.
pub const JOB_MISSING: [&str; 3] = [
    "`backoffLimit` (the default retries a failed dump six times, with growing delays, against a database that may be struggling)",
    "`activeDeadlineSeconds` (nothing stops a hung dump: it holds its connection and locks until someone deletes the Job)",
    "`ttlSecondsAfterFinished` (the finished Job and its pods stay until deleted by hand)",
];

fn unbounded_job(obj: &Object, j: &k8s_openapi::api::batch::v1::Job) -> Option<UnboundedJob> {
    let spec = j.spec.as_ref()?;
    let missing = [
        spec.backoff_limit.is_none(),
        spec.active_deadline_seconds.is_none(),
        spec.ttl_seconds_after_finished.is_none(),
    ];
    if !missing.iter().any(|m| *m) {
        return None;
    }
    let words = job_words(j);
    let has = |w: &str| words.iter().any(|x| x == w);
    let tool = BACKUP_TOOLS
        .iter()
        .position(|(t, w)| has(t) && (w.is_empty() || has(w)))
        .map(|i| i as u8);
    let named = obj
        .name
        .split(['-', '_', '.'])
        .any(|w| matches!(w, "backup" | "backups" | "dump" | "snapshot"));
    Some(UnboundedJob {
        missing: bits(&missing),
        tool,
        named,
        spec_key: locate(&obj.node, "spec", false).0,
    })
}

fn bits(set: &[bool]) -> u8 {
    set.iter()
        .enumerate()
        .filter(|(_, b)| **b)
        .fold(0, |acc, (i, _)| acc | 1 << i)
}

/// The texts of the set bits of `missing`, in order.
pub fn missing_texts<'t>(missing: u8, texts: &[&'t str]) -> Vec<&'t str> {
    texts
        .iter()
        .enumerate()
        .filter(|(i, _)| missing & (1 << i) != 0)
        .map(|(_, t)| *t)
        .collect()
}

/// Tools whose use makes a Job a backup: (program, a word it must be used
/// with, or "" when the program alone is a backup).
pub const BACKUP_TOOLS: &[(&str, &str)] = &[
    ("pg_dump", ""),
    ("pg_dumpall", ""),
    ("pg_basebackup", ""),
    ("mysqldump", ""),
    ("mariadb-dump", ""),
    ("mysqlpump", ""),
    ("mydumper", ""),
    ("xtrabackup", ""),
    ("mariabackup", ""),
    ("mongodump", ""),
    ("elasticdump", ""),
    ("barman-cloud-backup", ""),
    ("etcdctl", "snapshot"),
    ("restic", "backup"),
    ("velero", "backup"),
    ("pgbackrest", "backup"),
    ("wal-g", "backup-push"),
    ("nodetool", "snapshot"),
    ("redis-cli", "--rdb"),
];

/// The words of the Job's commands, args and env values (shell scripts split
/// on whitespace and punctuation; programs by their base name).
fn job_words(j: &k8s_openapi::api::batch::v1::Job) -> Vec<String> {
    let Some(spec) = j.spec.as_ref().and_then(|s| s.template.spec.as_ref()) else {
        return Vec::new();
    };
    let mut words = Vec::new();
    for c in spec
        .containers
        .iter()
        .chain(spec.init_containers.iter().flatten())
    {
        let texts = c.command.iter().flatten().chain(c.args.iter().flatten());
        let env = c.env.iter().flatten().filter_map(|e| e.value.as_ref());
        for t in texts.chain(env) {
            for w in t.split(|ch: char| {
                ch.is_whitespace() || matches!(ch, ';' | '&' | '|' | '(' | ')' | '"' | '\'' | '`')
            }) {
                if !w.is_empty() {
                    words.push(w.rsplit('/').next().unwrap_or(w).to_string());
                    words.push(w.to_string());
                }
            }
        }
    }
    words
}

fn typed_service(obj: &Object, s: &Service, x: &Extract<'_>, out: &mut FileBackup) -> TypedSvc {
    let spec = s.spec.as_ref();
    let key = |field: &str| locate(&obj.node, field, false).0;
    let exposed = match spec.and_then(|s| s.type_.as_deref()) {
        Some("NodePort") => Some(Exposed::NodePort),
        Some("LoadBalancer") => Some(Exposed::LoadBalancer),
        _ => None,
    };
    let cluster_ip_at = if exposed.is_some() {
        key("spec.type")
    } else if obj.has("spec.clusterIP") {
        key("spec.clusterIP")
    } else {
        key("spec")
    };
    let selector = spec.and_then(|s| s.selector.as_ref());
    let selector_at = match selector {
        Some(s) if !s.is_empty() => key("spec.selector"),
        _ => key("spec"),
    };
    TypedSvc {
        headless: spec.and_then(|s| s.cluster_ip.as_deref()) == Some("None"),
        exposed,
        cluster_ip_at,
        selector: selector.map(|l| out.push_labels(x, l)),
        selector_at,
        publishes_not_ready: spec.and_then(|s| s.publish_not_ready_addresses) == Some(true),
        selects_pods: spec.is_some_and(|s| s.type_.as_deref() != Some("ExternalName"))
            && selector.is_some_and(|s| !s.is_empty()),
        tolerate_unready_at: obj
            .annotation(TOLERATE_UNREADY)
            .map(|_| key(&join_key("metadata.annotations", TOLERATE_UNREADY))),
    }
}

/// Whether the pod's containers address peers by their per-pod DNS names
/// (`$(POD_NAME).<service>`, `db-0.<service>.ns.svc`).
fn uses_pod_dns(obj: &Object, spec_path: &str, service: &str) -> bool {
    let Some(spec) = obj.at(spec_path) else {
        return false;
    };
    let needle = format!(".{service}");
    let mut hit = false;
    spec.for_each_string(&mut |s, _| {
        if hit {
            return;
        }
        let mut from = 0;
        while let Some(i) = s[from..].find(&needle) {
            let end = from + i + needle.len();
            if s[end..]
                .chars()
                .next()
                .is_none_or(|c| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
            {
                hit = true;
                return;
            }
            from = end;
        }
    });
    hit
}

// ------------------------------------------------------------ cross phase

/// One fact of a kind, with the object it belongs to.
pub struct Of<'f, T> {
    pub id: ObjId,
    pub file: FileId,
    /// The batch's facts (for its label arena).
    pub facts: &'f FileBackup,
    pub fact: &'f T,
}

impl<T> Clone for Of<'_, T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Of<'_, T> {}

impl<'f, T> Of<'f, T> {
    pub fn labels(&self, s: Slice) -> &'f [(Sym, Sym)] {
        self.facts.labels(s)
    }
}

/// Facts kept per object, by the object's place in its file.
pub trait Local {
    fn local(&self) -> u32;
}

impl Local for StsFact {
    fn local(&self) -> u32 {
        self.local
    }
}

impl Local for SvcFact {
    fn local(&self) -> u32 {
        self.local
    }
}

/// Every fact in `list` of every file, with its object, in canonical order.
fn all<T: Local + 'static>(
    facts: &Facts,
    list: fn(&FileBackup) -> &[T],
) -> impl Iterator<Item = Of<'_, T>> {
    facts.batches().flat_map(move |(b, bf)| {
        list(&bf.backup).iter().map(move |fact| {
            let id = facts.id(b, fact.local() as usize);
            Of {
                id,
                file: facts.ident(id).file,
                facts: &bf.backup,
                fact,
            }
        })
    })
}

/// The fact in `list` of object `id`, if it has one.
fn one<T: Local + 'static>(
    facts: &Facts,
    id: ObjId,
    list: fn(&FileBackup) -> &[T],
) -> Option<Of<'_, T>> {
    let (bf, local) = facts.batch_facts(id);
    let b = &bf.backup;
    let l = list(b);
    let at = l.binary_search_by_key(&(local as u32), T::local).ok()?;
    Some(Of {
        id,
        file: facts.ident(id).file,
        facts: b,
        fact: &l[at],
    })
}

/// Every typed StatefulSet, in canonical order.
pub fn statefulsets(facts: &Facts) -> impl Iterator<Item = Of<'_, StsFact>> {
    all(facts, |b| &b.sts)
}

/// Every object of kind `Service`, in canonical order.
pub fn services(facts: &Facts) -> impl Iterator<Item = Of<'_, SvcFact>> {
    all(facts, |b| &b.services)
}

/// The fact of an object of kind `Service`.
pub fn service(facts: &Facts, id: ObjId) -> Option<Of<'_, SvcFact>> {
    one(facts, id, |b| &b.services)
}

/// A label map read back as strings, for messages and for the selector
/// functions of [`crate::selectors`].
pub fn label_map(facts: &Facts, pairs: &[(Sym, Sym)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|&(k, v)| (facts.str(k).to_string(), facts.str(v).to_string()))
        .collect()
}

/// [`crate::selectors::map_selector_matches`] on facts: every pair of a
/// non-empty selector is among the labels (a `Sym` is its string).
pub fn map_selector_matches(sel: Option<&[(Sym, Sym)]>, labels: &[(Sym, Sym)]) -> bool {
    match sel {
        Some(s) if !s.is_empty() => s.iter().all(|p| labels.contains(p)),
        _ => false,
    }
}

impl Local for JobFact {
    fn local(&self) -> u32 {
        self.local
    }
}

impl Local for SnapshotFact {
    fn local(&self) -> u32 {
        self.local
    }
}

impl Local for VeleroFact {
    fn local(&self) -> u32 {
        self.local
    }
}

/// The fact of a typed Job or CronJob.
pub fn job(facts: &Facts, id: ObjId) -> Option<Of<'_, JobFact>> {
    one(facts, id, |b| &b.jobs)
}

/// The fact of a typed StatefulSet.
pub fn statefulset(facts: &Facts, id: ObjId) -> Option<Of<'_, StsFact>> {
    one(facts, id, |b| &b.sts)
}

/// Every typed Job and CronJob, in canonical order.
pub fn jobs(facts: &Facts) -> impl Iterator<Item = Of<'_, JobFact>> {
    all(facts, |b| &b.jobs)
}

/// The [`Target`] of a StatefulSet, read back from its facts.
pub fn target<'f>(facts: &'f Facts, sts: Of<'f, StsFact>) -> Option<Target<'f>> {
    let tf = sts.fact.target.as_ref()?;
    let ident = facts.ident(sts.id);
    Some(Target {
        name: facts.str(ident.name),
        namespace: ident.namespace.map(|n| facts.str(n)),
        service: Some(facts.str(sts.fact.service_name)).filter(|s| !s.is_empty()),
        claims: sts
            .facts
            .syms(tf.claims)
            .iter()
            .map(|&c| facts.str(c))
            .collect(),
        labels: sts
            .facts
            .maps(tf.labels)
            .iter()
            .map(|&m| label_map(facts, sts.labels(m)))
            .collect(),
        pod_labels: tf.pod_labels.map(|i| i as usize),
    })
}

/// Which Jobs and CronJobs back up which StatefulSets (built once, for
/// `missing-backup` and `unsafe-backup-job`).
pub struct BackupJobs {
    /// Every StatefulSet with a [`TargetFact`], in canonical order, with the
    /// Jobs and CronJobs whose pods reach its data ([`crate::backup::jobs`]),
    /// in canonical order.
    pub by_sts: Vec<(ObjId, Vec<ObjId>)>,
    /// Job or CronJob → the first StatefulSet (canonical order) it reaches.
    pub target_of: HashMap<ObjId, ObjId>,
}

pub fn backup_jobs(facts: &Facts) -> &BackupJobs {
    facts.backup_jobs.get_or_init(|| build_backup_jobs(facts))
}

fn build_backup_jobs(facts: &Facts) -> BackupJobs {
    // The word index (words split as [`crate::backup::index_words`] does):
    // only jobs can be evidence, so only their words are kept (from every
    // string of their pod spec, as before the facts: the pre-filter's misses
    // are kept too).
    let (selecting, mentions) =
        rayon::join(|| ServicesByLabel::new(facts), || WordIndex::new(facts));
    let mentioning = |prefix: &str| mentions.with_prefix(facts, prefix).to_vec();
    let targets: Vec<Of<'_, StsFact>> = statefulsets(facts)
        .filter(|s| s.fact.target.is_some())
        .collect();
    let jobs_of = |sts: Of<'_, StsFact>| -> Option<(ObjId, Vec<ObjId>)> {
        let t = target(facts, sts)?;
        let ns = facts.ident(sts.id).namespace;
        let pod_labels = t.pod_labels.and_then(|i| {
            let tf = sts.fact.target.as_ref()?;
            Some(sts.labels(*sts.facts.maps(tf.labels).get(i)?))
        });
        let services = pod_labels.map(|l| selecting.get(ns, l)).unwrap_or_default();
        let hosts = t.hosts_with(services.iter().map(|&s| facts.name(s)));
        let mut candidates: Vec<ObjId> = t
            .prefixes(&hosts)
            .iter()
            .flat_map(|p| mentioning(p))
            .collect();
        candidates.sort_unstable();
        candidates.dedup();
        let hosts: Vec<&str> = hosts.iter().map(String::as_str).collect();
        candidates.retain(|&j| {
            let Some(r) = job(facts, j).and_then(|j| j.fact.reach.as_ref().map(|r| (j, r))) else {
                return false;
            };
            let (j, r) = r;
            let same_ns = facts.ident(j.id).namespace == ns;
            let texts = j
                .facts
                .texts(r.texts)
                .iter()
                .map(|&(s, h)| (facts.str(s), h));
            let claims = j.facts.syms(r.claims).iter().map(|&c| facts.str(c));
            crate::backup::reaches(texts, claims, &t, &hosts, same_ns)
        });
        Some((sts.id, candidates))
    };
    // Built by `Facts::prepare` before the rules run (see there).
    let by_sts: Vec<(ObjId, Vec<ObjId>)> =
        targets.par_iter().filter_map(|&sts| jobs_of(sts)).collect();
    let mut target_of = HashMap::new();
    for (sts, js) in &by_sts {
        for &j in js {
            target_of.entry(j).or_insert(*sts);
        }
    }
    BackupJobs { by_sts, target_of }
}

/// The jobs that mention each word: the words sorted by text, and the
/// jobs of each word one after the other in that order (so the words that
/// start with a prefix, and their jobs, are each one range).
struct WordIndex {
    words: Vec<Sym>,
    /// Where each word's jobs start in `jobs` (one more than `words`).
    starts: Vec<u32>,
    jobs: Vec<ObjId>,
}

impl WordIndex {
    fn new(facts: &Facts) -> Self {
        let words_of =
            || jobs(facts).filter_map(|j| Some((j.id, j.facts.syms(j.fact.reach.as_ref()?.words))));
        // Each distinct word, numbered as first met.
        let mut number: HashMap<Sym, u32> = HashMap::new();
        let mut words: Vec<Sym> = Vec::new();
        for (_, ws) in words_of() {
            for &w in ws {
                number.entry(w).or_insert_with(|| {
                    words.push(w);
                    words.len() as u32 - 1
                });
            }
        }
        let mut by_text: Vec<u32> = (0..words.len() as u32).collect();
        // Words are distinct strings: the order is the same however sorted.
        by_text.par_sort_unstable_by(|&a, &b| {
            facts
                .str(words[a as usize])
                .cmp(facts.str(words[b as usize]))
        });
        let mut rank = vec![0u32; words.len()];
        for (r, &n) in by_text.iter().enumerate() {
            rank[n as usize] = r as u32;
        }
        let place = |w: &Sym| number.get(w).map(|&n| rank[n as usize] as usize);
        // A job lists each word once; jobs come in canonical order.
        let mut starts = vec![0u32; words.len() + 1];
        for (_, ws) in words_of() {
            for r in ws.iter().filter_map(place) {
                starts[r + 1] += 1;
            }
        }
        for i in 1..starts.len() {
            starts[i] += starts[i - 1];
        }
        let mut next = starts.clone();
        let mut ids = vec![ObjId(0); starts.last().copied().unwrap_or(0) as usize];
        for (id, ws) in words_of() {
            for r in ws.iter().filter_map(place) {
                ids[next[r] as usize] = id;
                next[r] += 1;
            }
        }
        let words = by_text.iter().map(|&n| words[n as usize]).collect();
        WordIndex {
            words,
            starts,
            jobs: ids,
        }
    }

    /// The jobs that mention a word starting with `prefix`, grouped by word.
    fn with_prefix(&self, facts: &Facts, prefix: &str) -> &[ObjId] {
        let first = self.words.partition_point(|&w| facts.str(w) < prefix);
        let end =
            first + self.words[first..].partition_point(|&w| facts.str(w).starts_with(prefix));
        &self.jobs[self.starts[first] as usize..self.starts[end] as usize]
    }
}

/// Typed Services by namespace and the rarest pair of their (non-empty)
/// selector among the namespace's Services (every pair must match, so one is
/// a sound pre-filter): sorted (namespace, key, value) with the Service.
struct ServicesByLabel(Vec<([u32; 3], ObjId)>);

impl ServicesByLabel {
    fn key(ns: Option<Sym>, k: Sym, v: Sym) -> [u32; 3] {
        [ns.map_or(u32::MAX, Sym::index), k.index(), v.index()]
    }

    fn new(facts: &Facts) -> Self {
        let selectors = || {
            services(facts).filter_map(|s| {
                let sel = s.labels(s.fact.typed.as_ref()?.selector?);
                Some((s.id, facts.ident(s.id).namespace, sel))
            })
        };
        // How many Services of the namespace select on each pair.
        let mut pairs: Vec<[u32; 3]> = selectors()
            .flat_map(|(_, ns, sel)| sel.iter().map(move |&(k, v)| Self::key(ns, k, v)))
            .collect();
        pairs.sort_unstable();
        let count = |key: [u32; 3]| equal_run(&pairs, &key, |p| *p).len();
        let mut by_rarest: Vec<([u32; 3], ObjId)> = selectors()
            .filter_map(|(id, ns, sel)| {
                let &(k, v) = sel
                    .iter()
                    .min_by_key(|&&(k, v)| count(Self::key(ns, k, v)))?;
                Some((Self::key(ns, k, v), id))
            })
            .collect();
        by_rarest.sort_unstable();
        ServicesByLabel(by_rarest)
    }

    /// The Services of `ns` whose selector selects pods labelled `labels`, in
    /// canonical order.
    fn get(&self, ns: Option<Sym>, labels: &[(Sym, Sym)]) -> Vec<ObjId> {
        let mut out: Vec<ObjId> = Vec::new();
        for &(k, v) in labels {
            let run = equal_run(&self.0, &Self::key(ns, k, v), |(p, _)| *p);
            out.extend(run.iter().map(|&(_, id)| id));
        }
        out.sort_unstable();
        out.dedup();
        out
    }
}

/// VolumeSnapshots by namespace ("" for none) and source claim.
pub struct Snapshots<'f>(BTreeMap<(&'f str, &'f str), Vec<ObjId>>);

impl<'f> Snapshots<'f> {
    pub fn new(facts: &'f Facts) -> Self {
        let mut m: BTreeMap<(&str, &str), Vec<ObjId>> = BTreeMap::new();
        for s in all(facts, |b| &b.snapshots) {
            let ns = facts.namespace(s.id).unwrap_or("");
            m.entry((ns, facts.str(s.fact.claim)))
                .or_default()
                .push(s.id);
        }
        Snapshots(m)
    }

    /// Whether a VolumeSnapshot copies a claim of `t`.
    pub fn back_up(&self, facts: &Facts, t: &Target<'_>) -> bool {
        let ns = t.namespace.unwrap_or("");
        t.claims.iter().any(|c| {
            let prefix = format!("{c}-{}-", t.name);
            self.0
                .range((ns, prefix.as_str())..)
                .take_while(|((n, c), _)| *n == ns && c.starts_with(prefix.as_str()))
                .any(|((_, claim), ids)| {
                    ids.iter().any(|&s| {
                        facts.namespace(s) == t.namespace && crate::backup::is_claim_of(claim, t)
                    })
                })
        })
    }
}

/// Velero Schedules and Backups by the namespace they include (`None`: all),
/// then by the first pair of their label selector's matchLabels (`None`: no
/// matchLabels).
pub struct Velero(HashMap<Option<Sym>, ByPair>);

/// Velero objects by the first pair of their matchLabels.
type ByPair = HashMap<Option<(Sym, Sym)>, Vec<ObjId>>;

impl Velero {
    pub fn new(facts: &Facts) -> Self {
        let mut m: HashMap<Option<Sym>, ByPair> = HashMap::new();
        for v in all(facts, |b| &b.velero) {
            let pair = v
                .fact
                .selector
                .as_ref()
                .and_then(|s| s.match_labels)
                .and_then(|l| v.labels(l).first().copied());
            let included = v.facts.syms(v.fact.included);
            let spaces: Vec<Option<Sym>> = if included.is_empty() {
                vec![None]
            } else {
                included
                    .iter()
                    .map(|&n| (facts.str(n) != "*").then_some(n))
                    .collect()
            };
            for n in spaces {
                m.entry(n).or_default().entry(pair).or_default().push(v.id);
            }
        }
        Velero(m)
    }

    /// Whether one of them covers `t` ([`VeleroScope::covers`]).
    pub fn back_up(&self, facts: &Facts, sts: Of<'_, StsFact>, t: &Target<'_>) -> bool {
        let Some(tf) = &sts.fact.target else {
            return false;
        };
        let ns = facts.ident(sts.id).namespace;
        let mut spaces = vec![None];
        if let Some(n) = ns.filter(|&n| facts.str(n) != "*") {
            spaces.push(Some(n));
        }
        let labels = sts.facts.maps(tf.labels);
        spaces
            .into_iter()
            .filter_map(|n| self.0.get(&n))
            .flat_map(|by_pair| {
                let pairs = labels
                    .iter()
                    .flat_map(|&m| sts.labels(m).iter().map(|&p| Some(p)));
                std::iter::once(None)
                    .chain(pairs)
                    .filter_map(|p| by_pair.get(&p))
                    .flatten()
            })
            .any(|&v| velero(facts, v).is_some_and(|s| s.covers(t.namespace, &t.labels)))
    }
}

/// The [`VeleroScope`] of a Velero Schedule or Backup, read back from its facts.
fn velero(facts: &Facts, id: ObjId) -> Option<VeleroScope<'_>> {
    let v = one(facts, id, |b| &b.velero)?;
    let strs = |s: Slice| v.facts.syms(s).iter().map(|&n| facts.str(n)).collect();
    Some(VeleroScope {
        included: strs(v.fact.included),
        excluded: strs(v.fact.excluded),
        selector: v.fact.selector.as_ref().map(|s| LabelSelector {
            match_labels: s.match_labels.map(|l| label_map(facts, v.labels(l))),
            match_expressions: s.match_expressions.as_ref().map(|e| e.to_vec()),
        }),
    })
}

impl FileBackup {
    /// Give back the spare room of every list once the file is read: a run
    /// keeps the facts of every file.
    pub fn shrink(&mut self) {
        trim(&mut self.sts);
        trim(&mut self.services);
        trim(&mut self.jobs);
        trim(&mut self.snapshots);
        trim(&mut self.velero);
        trim(&mut self.pairs);
        trim(&mut self.maps);
        trim(&mut self.syms);
        trim(&mut self.texts);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Facts are kept for every object until the end of the run: they must
    /// stay small (arenas hold the lists).
    #[test]
    fn facts_stay_small() {
        use std::mem::size_of;
        assert!(size_of::<StsFact>() <= 104);
        assert!(size_of::<SvcFact>() <= 56);
        assert!(size_of::<JobFact>() <= 64);
        assert!(size_of::<VeleroFact>() <= 56);
        assert!(size_of::<SnapshotFact>() <= 8);
    }
}
