//! `missing-backup` — documented in rules/missing-backup.md

use crate::backup::{find, Target};
use crate::catalog::{cache_only, container_store};
use crate::diagnostic::Severity;
use crate::manifest::Object;
use crate::rule::{Context, Rule, Sink};

pub struct MissingBackup;

impl Rule for MissingBackup {
    fn check<'a>(&self, obj: &'a Object, cx: &Context<'a>, out: &mut Sink<'a>) {
        let Some(t) = Target::of(obj) else { return };
        if t.claims.is_empty() {
            return;
        }
        let containers = obj.pod().map(|p| p.containers(false)).unwrap_or_default();
        let store = containers.iter().find_map(|c| container_store(c.container));
        // Caches and state rebuilt from object storage need no backup.
        if store.is_none() && containers.iter().any(|c| cache_only(c.container).is_some()) {
            return;
        }
        if find(cx.index, &t).is_some() {
            return;
        }
        let what = store.map_or("data".to_string(), |s| format!("{} data", s.name));
        let p = out.report(
            "spec.volumeClaimTemplates",
            format!(
                "StatefulSet `{}` keeps {what} in volumeClaimTemplates but nothing among the linted objects backs it up; looked for {}",
                obj.name,
                t.describe()
            ),
        );
        p.label(match store {
            Some(s) => format!("{} data with no backup", s.name),
            None => "persistent data with no backup".to_string(),
        })
        .help("add a backup CronJob (e.g. a dump from `<name>-0.<service>` to object storage), scheduled VolumeSnapshots of the claims, or a Velero Schedule for the namespace");
        if store.is_none() {
            // What the volumes hold is unknown: it may be a cache.
            p.severity(Severity::Note);
        }
    }
}
