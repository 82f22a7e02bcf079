//! `parallel-database-startup` — documented in rules/parallel-database-startup.md

use crate::catalog::{container_store, Bootstrap};
use crate::fix::yaml::{remove_entry, Text};
use crate::fix::Fix;
use crate::manifest::Object;
use crate::rule::{Rule, Sink};

pub struct ParallelDatabaseStartup;

impl Rule for ParallelDatabaseStartup {
    fn check<'a>(&self, obj: &'a Object, out: &mut Sink<'a>) {
        let Some(sts) = obj.statefulset() else { return };
        if sts.spec.pod_management_policy.as_deref() != Some("Parallel") {
            return;
        }
        let Some(pod) = obj.pod() else { return };
        let Some((c, store)) = pod.containers(false).into_iter().find_map(|c| {
            let store = container_store(c.container)?;
            (store.bootstrap == Bootstrap::FromOrdinalZero).then_some((c, store))
        }) else {
            return;
        };
        // What goes wrong differs: a primary/replica store races its
        // bootstrap on pod 0; a quorum has several members join or leave at
        // the same time when it scales.
        let why = if store.quorum {
            "all pods start, and on scaling join or leave, at once: several members change the quorum at the same time, and a new member may start before the one it must join is Ready"
        } else {
            "all pods start (and scale) at once, racing the bootstrap of pod 0"
        };
        let p = out.report(
            "spec.podManagementPolicy",
            format!(
                "StatefulSet `{}` runs {} with `podManagementPolicy: Parallel`: {why}",
                obj.name, store.name
            ),
        )
        .on_value()
        .label("pods start in parallel")
        .help("remove `podManagementPolicy` (the default, OrderedReady, starts pod N+1 only once pod N is Ready); rolling updates are ordered either way. The field is immutable: on a live cluster, recreate the StatefulSet without its pods (`kubectl delete statefulset NAME --cascade=orphan`, then apply), so pods and volumes stay")
        .related_value(
            obj,
            // What runs decides the store: point at the command when there is one.
            if c.container.command.is_some() { format!("{}.command", c.path) } else { format!("{}.image", c.path) },
            if store.quorum {
                format!("{} members form a quorum", store.name)
            } else {
                format!("{} bootstraps from ordinal 0", store.name)
            },
        );
        if let Some(edit) = remove_entry(&Text::new(&obj.source), &obj.node, "spec.podManagementPolicy") {
            p.fix(Fix::unsafe_("remove `podManagementPolicy: Parallel`", [edit]));
        }
    }
}
