//! `unsafe-backup-job` — documented in rules/unsafe-backup-job.md

use crate::diagnostic::Severity;
use crate::facts::backup::{self, missing_texts, BACKUP_TOOLS, CRON_MISSING, JOB_MISSING};
use crate::facts::{FactRule, FactSink, Facts};

pub struct UnsafeBackupJob;

impl FactRule for UnsafeBackupJob {
    fn check(&self, facts: &Facts, out: &mut FactSink) {
        let jobs = backup::backup_jobs(facts);
        // A StatefulSet reports each unsafe CronJob that backs it up, on the
        // CronJob: one finding per pair (they are deduplicated on output, but
        // each counts when suppressed).
        for (sts, js) in &jobs.by_sts {
            for &j in js {
                let Some(cj) = backup::job(facts, j) else { continue };
                let Some(u) = cj.fact.unsafe_cron.filter(|_| cj.fact.cron) else { continue };
                let texts: Vec<&str> = CRON_MISSING.iter().map(|(t, _)| *t).collect();
                let first = u.missing.trailing_zeros() as usize;
                let Some(&(_, field)) = CRON_MISSING.get(first) else { continue };
                out.report_on(
                    *sts,
                    j,
                    field,
                    u.at,
                    format!("backup CronJob `{}` lacks {}", facts.name(j), missing_texts(u.missing, &texts).join("; ")),
                )
                .label("unsafe backup schedule")
                .help("set `concurrencyPolicy: Forbid`, `startingDeadlineSeconds`, and in the job template `activeDeadlineSeconds` and `backoffLimit`");
            }
        }
        // A plain Job that is a backup: by the tool it runs, a StatefulSet it
        // reaches or whose claim it mounts, or its name.
        for job in backup::jobs(facts) {
            let Some(u) = job.fact.unbounded_job else { continue };
            let why = if let Some(&(tool, with)) = u.tool.and_then(|i| BACKUP_TOOLS.get(i as usize)) {
                if with.is_empty() {
                    format!("it runs `{tool}`")
                } else {
                    format!("it runs `{tool} {with}`")
                }
            } else if let Some(&sts) = jobs.target_of.get(&job.id) {
                format!("it reaches the data of StatefulSet `{}`", facts.name(sts))
            } else if u.named {
                "its name says so".to_string()
            } else {
                continue;
            };
            out.report(
                job.id,
                "spec",
                u.spec_key,
                format!("backup Job `{}` ({why}) lacks {}", facts.name(job.id), missing_texts(u.missing, &JOB_MISSING).join("; ")),
            )
            .severity(Severity::Note)
            .label("unbounded backup Job")
            .help("bound the Job: `backoffLimit` (e.g. 2), `activeDeadlineSeconds` (longer than the slowest dump) and `ttlSecondsAfterFinished` (cleanup)");
        }
    }
}
