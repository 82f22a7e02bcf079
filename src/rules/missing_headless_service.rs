//! `missing-headless-service` — documented in rules/missing-headless-service.md


use crate::diagnostic::Severity;
use crate::facts::backup::{self, label_map, map_selector_matches, Of, StsFact, TOLERATE_UNREADY};
use crate::facts::{append, equal_run, FactRule, FactSink, Facts, ObjId, Sym};
use crate::fix::Fix;
use crate::validation::is_dns1035_label;
use crate::selectors::{describe_labels, in_ns};
use crate::path::join_key;

pub struct MissingHeadlessService;

const HELP: &str = "create a Service with `clusterIP: None` whose selector matches the pod template labels, and set `spec.serviceName` to its name";

impl FactRule for MissingHeadlessService {
    fn check(&self, facts: &Facts, out: &mut FactSink) {
        // Lookups go by the kind *string*: a custom resource of kind
        // `Service` (Knative's) is found too, and silences the rule.
        let service_kind = backup::services(facts).next().map(|s| facts.ident(s.id).kind);
        let mut first_named = std::collections::HashMap::new();
        for s in backup::services(facts) {
            first_named.entry(facts.ident(s.id).name).or_insert(s.id);
        }
        let subjects: Vec<Of<'_, StsFact>> = backup::statefulsets(facts).collect();
        // (namespace, serviceName) of every StatefulSet that names one: a
        // fix writes a Service only for a name one StatefulSet uses.
        let mut governing: Vec<[u32; 2]> = subjects
            .iter()
            .filter(|s| !facts.str(s.fact.service_name).is_empty())
            .map(|s| governing_key(facts, s))
            .collect();
        governing.sort_unstable();
        let cx = Cx {
            service_kind,
            first_named: &first_named,
            governing: &governing,
        };
        facts.par_each(out, &subjects, |sts, out| check_sts(facts, *sts, &cx, out));
    }
}

/// What every StatefulSet's check reads besides its own facts.
struct Cx<'a> {
    /// The kind `Service` (`None`: no object of that kind).
    service_kind: Option<Sym>,
    /// The first object of kind `Service` of each name, in any namespace.
    first_named: &'a std::collections::HashMap<Sym, ObjId>,
    /// [`governing_key`] of every StatefulSet that names a Service, sorted.
    governing: &'a [[u32; 2]],
}

fn governing_key(facts: &Facts, sts: &Of<'_, StsFact>) -> [u32; 2] {
    let ns = facts.ident(sts.id).namespace;
    [ns.map_or(u32::MAX, Sym::index), sts.fact.service_name.index()]
}

/// The fix for a StatefulSet whose `serviceName` names no Service at all:
/// a headless Service of that name after it, when that is certain (see
/// rules/missing-headless-service.md, "Fix").
fn new_service(facts: &Facts, sts: Of<'_, StsFact>, cx: &Cx<'_>) -> Option<Fix> {
    let name = facts.str(sts.fact.service_name);
    if cx.first_named.contains_key(&sts.fact.service_name) || !is_dns1035_label(name) {
        return None;
    }
    let key = governing_key(facts, &sts);
    if equal_run(cx.governing, &key, |k| *k).len() != 1 {
        return None;
    }
    let (_, a) = facts.append_of(sts.id)?;
    let selector = facts.selector_labels(sts.id, a)?;
    if facts.selects_others(sts.id, &selector) {
        return None;
    }
    let quorum = matches!(sts.fact.pod.as_ref()?.store, Some((_, true)));
    append::service_fix(facts, sts.id, name, quorum)
}

fn check_sts(facts: &Facts, sts: Of<'_, StsFact>, cx: &Cx<'_>, out: &mut FactSink) {
    let (service_kind, first_named) = (cx.service_kind, cx.first_named);
    let Some(pod) = &sts.fact.pod else { return };
    let obj = facts.ident(sts.id);
    let sts_name = facts.str(obj.name);
    let name = facts.str(sts.fact.service_name);
    let store = pod.store;
    let severity = if pod.clustered { Severity::Error } else { Severity::Warning };
    let who = match store {
        Some((s, _)) => format!("StatefulSet `{sts_name}` ({s})"),
        None => format!("StatefulSet `{sts_name}`"),
    };
    let at = sts.fact.service_name_at;
    if name.is_empty() {
        out.report(
            sts.id,
            "spec.serviceName",
            at,
            format!("{who} names no governing Service (`spec.serviceName`): its pods get no stable DNS names"),
        )
        .severity(severity)
        .label("no `serviceName` here")
        .help(HELP);
        return;
    }
    let ns = obj.namespace;
    let found = service_kind.and_then(|k| facts.named_near(obj.file, ns, k, sts.fact.service_name));
    let Some(svc_id) = found else {
        let p = out
            .report(
                sts.id,
                "spec.serviceName",
                at,
                format!(
                    "{who} names Service `{name}`, but no Service `{name}` is defined {}",
                    in_ns(ns.map(|n| facts.str(n)))
                ),
            )
            .severity(severity)
            .label("no such Service")
            .help(HELP);
        if let Some(fix) = new_service(facts, sts, cx) {
            p.fix(fix);
        }
        if let Some(other) = first_named.get(&sts.fact.service_name).and_then(|&o| backup::service(facts, o)) {
            let where_ = facts
                .namespace(other.id)
                .map_or("without a namespace".to_string(), |n| format!("in namespace `{n}`"));
            p.related(other.file, other.fact.name_key, format!("a Service `{name}` exists, but {where_}"));
        }
        return;
    };
    let Some(svc) = backup::service(facts, svc_id) else { return };
    let Some(service) = &svc.fact.typed else { return };
    if !service.headless {
        let (help, at_msg) = match service.exposed.map(backup::Exposed::name) {
            Some(t) => (
                format!("add a separate headless Service (`clusterIP: None`, the same selector and ports) and point `spec.serviceName` at it: `clusterIP: None` is invalid on a {t} Service, which keeps exposing the pods to clients"),
                format!("a {t} Service cannot be headless"),
            ),
            None => (
                "set `clusterIP: None` on the Service (a separate ClusterIP Service can still load-balance clients)".to_string(),
                "set `clusterIP: None` here".to_string(),
            ),
        };
        out.report(
            sts.id,
            "spec.serviceName",
            at,
            format!("Service `{name}` governing {who} is not headless: pods get no per-pod DNS records"),
        )
        .severity(severity)
        .label("this Service has a cluster IP")
        .help(help)
        .related(svc.file, service.cluster_ip_at, at_msg);
        return;
    }
    let labels = pod.labels.map_or(&[][..], |l| sts.labels(l));
    let selector = service.selector.map(|s| svc.labels(s));
    if !map_selector_matches(selector, labels) {
        let what = match selector {
            Some(s) if !s.is_empty() => format!("selects {}", describe_labels(&label_map(facts, s))),
            _ => "has no selector".to_string(),
        };
        out.report(
            sts.id,
            "spec.serviceName",
            at,
            format!(
                "headless Service `{name}` {what}, which does not select the pods of {who} ({})",
                describe_labels(&label_map(facts, labels))
            ),
        )
        .severity(severity)
        .label("this Service does not select the pods")
        .help("make the Service's `spec.selector` a subset of the pod template labels")
        .related(svc.file, service.selector_at, "this selector misses the StatefulSet's pods")
        .related(sts.file, pod.labels_key, "the pod template labels");
        return;
    }
    // A quorum member must resolve its peers before any of them is Ready.
    let Some((store, true)) = store else { return };
    if service.publishes_not_ready {
        return;
    }
    let Some(annotation) = service.tolerate_unready_at else { return };
    out.report_on(
        sts.id,
        svc.id,
        join_key("metadata.annotations", TOLERATE_UNREADY),
        annotation,
        format!(
            "headless Service `{name}` of {store} quorum {who} relies on `{TOLERATE_UNREADY}`, which Kubernetes 1.24 removed: not-ready members get no DNS records, so members cannot find each other to form the quorum"
        ),
    )
    .label("ignored since Kubernetes 1.24")
    .help("set `spec.publishNotReadyAddresses: true` on the Service (the annotation can go)")
    .related(sts.file, at, format!("{who} is governed by this Service"));
}
