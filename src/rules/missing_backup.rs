//! `missing-backup` — documented in rules/missing-backup.md


use crate::diagnostic::Severity;
use crate::facts::backup::{self, Snapshots, Velero};
use crate::facts::{FactRule, FactSink, Facts};

pub struct MissingBackup;

impl FactRule for MissingBackup {
    fn check(&self, facts: &Facts, out: &mut FactSink) {
        let jobs = backup::backup_jobs(facts);
        let snapshots = Snapshots::new(facts);
        let velero = Velero::new(facts);
        facts.par_each(out, &jobs.by_sts, |(id, jobs), out| {
                let Some(sts) = backup::statefulset(facts, *id) else { return };
                let Some(at) = sts.fact.target.as_ref().and_then(|t| t.needs_backup) else { return };
                let Some(t) = backup::target(facts, sts) else { return };
                // A CronJob that reaches the data, a VolumeSnapshot of a
                // claim, or a Velero Schedule/Backup that covers it.
                let cronjob = jobs.iter().any(|&j| backup::job(facts, j).is_some_and(|j| j.fact.cron));
                if cronjob || snapshots.back_up(facts, &t) || velero.back_up(facts, sts, &t) {
                    return;
                }
                let store = sts.fact.pod.as_ref().and_then(|p| p.store).map(|(name, _)| name);
                let what = store.map_or("data".to_string(), |s| format!("{s} data"));
                let p = out.report(
                    *id,
                    "spec.volumeClaimTemplates",
                    at,
                    format!(
                        "StatefulSet `{}` keeps {what} in volumeClaimTemplates but nothing among the linted objects backs it up; looked for {}",
                        t.name,
                        t.describe()
                    ),
                );
                p.label(match store {
                    Some(s) => format!("{s} data with no backup"),
                    None => "persistent data with no backup".to_string(),
                })
                .help("add a backup CronJob (e.g. a dump from `<name>-0.<service>` to object storage), scheduled VolumeSnapshots of the claims, or a Velero Schedule for the namespace");
                if store.is_none() {
                    // What the volumes hold is unknown: it may be a cache.
                    p.severity(Severity::Note);
                }
        });
    }
}
