//! `unsafe-backup-job` — documented in rules/unsafe-backup-job.md

use crate::backup::{cronjobs, Target};
use crate::diagnostic::Severity;
use crate::manifest::{Object, Typed};
use crate::rule::{Context, Rule, Sink};

pub struct UnsafeBackupJob;

impl Rule for UnsafeBackupJob {
    fn check<'a>(&self, obj: &'a Object, cx: &Context<'a>, out: &mut Sink<'a>) {
        match &obj.typed {
            Typed::StatefulSet(_) => {
                let Some(t) = Target::of(obj) else { return };
                for cj in cronjobs(cx.index, &t) {
                    check_backup_cronjob(cj, out);
                }
            }
            Typed::Job(_) => check_job(obj, cx, out),
            _ => {}
        }
    }
}

fn check_backup_cronjob<'a>(cj: &'a Object, out: &mut Sink<'a>) {
    let Typed::CronJob(c) = &cj.typed else { return };
    let job = c.spec.job_template.spec.as_ref();
    let mut missing = Vec::new();
    let mut at = None;
    match c.spec.concurrency_policy.as_deref() {
        Some("Forbid") => {}
        Some(_) => {
            missing.push("`concurrencyPolicy: Forbid` (with Allow, a slow backup overlaps the next; with Replace, it is killed)");
            at.get_or_insert(("spec.concurrencyPolicy", true));
        }
        None => {
            missing.push("`concurrencyPolicy: Forbid` (the default, Allow, lets a slow backup overlap the next)");
            at.get_or_insert(("spec.concurrencyPolicy", false));
        }
    }
    if c.spec.starting_deadline_seconds.is_none() {
        missing.push("`startingDeadlineSeconds` (a missed schedule may start at a busy hour, or after 100 misses never again)");
        at.get_or_insert(("spec.startingDeadlineSeconds", false));
    }
    if job.and_then(|j| j.active_deadline_seconds).is_none() {
        missing.push("`jobTemplate.spec.activeDeadlineSeconds` (a hung dump holds locks and blocks the next run forever)");
        at.get_or_insert(("spec.jobTemplate.spec.activeDeadlineSeconds", false));
    }
    if job.and_then(|j| j.backoff_limit).is_none() {
        missing.push("`jobTemplate.spec.backoffLimit` (the default retries six times against a database that may be struggling)");
        at.get_or_insert(("spec.jobTemplate.spec.backoffLimit", false));
    }
    let Some((field, on_value)) = at else { return };
    let p = out.report_on(cj, field, format!("backup CronJob `{}` lacks {}", cj.name, missing.join("; ")));
    if on_value {
        p.on_value();
    }
    p.label("unsafe backup schedule")
        .help("set `concurrencyPolicy: Forbid`, `startingDeadlineSeconds`, and in the job template `activeDeadlineSeconds` and `backoffLimit`");
}

/// Tools whose use makes a Job a backup: (program, a word it must be used
/// with, or "" when the program alone is a backup).
const BACKUP_TOOLS: &[(&str, &str)] = &[
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
    for c in spec.containers.iter().chain(spec.init_containers.iter().flatten()) {
        let texts = c.command.iter().flatten().chain(c.args.iter().flatten());
        let env = c.env.iter().flatten().filter_map(|e| e.value.as_ref());
        for t in texts.chain(env) {
            for w in t.split(|ch: char| ch.is_whitespace() || matches!(ch, ';' | '&' | '|' | '(' | ')' | '"' | '\'' | '`')) {
                if !w.is_empty() {
                    words.push(w.rsplit('/').next().unwrap_or(w).to_string());
                    words.push(w.to_string());
                }
            }
        }
    }
    words
}

/// Why a plain Job is a backup Job: the backup tool it runs, a StatefulSet it
/// reaches or whose claim it mounts, or its name.
fn backup_evidence(job: &Object, cx: &Context<'_>) -> Option<String> {
    let Typed::Job(j) = &job.typed else { return None };
    let words = job_words(j);
    let has = |w: &str| words.iter().any(|x| x == w);
    if let Some((tool, with)) = BACKUP_TOOLS.iter().find(|(t, w)| has(t) && (w.is_empty() || has(w))) {
        return Some(if with.is_empty() { format!("it runs `{tool}`") } else { format!("it runs `{tool} {with}`") });
    }
    if let Some(sts) = cx.index.backup_target_of(job) {
        return Some(format!("it reaches the data of StatefulSet `{}`", sts.name));
    }
    let named = job.name.split(['-', '_', '.']).any(|w| matches!(w, "backup" | "backups" | "dump" | "snapshot"));
    named.then(|| "its name says so".to_string())
}

fn check_job<'a>(job: &'a Object, cx: &Context<'a>, out: &mut Sink<'a>) {
    let Typed::Job(j) = &job.typed else { return };
    let Some(spec) = j.spec.as_ref() else { return };
    let Some(why) = backup_evidence(job, cx) else { return };
    let mut missing = Vec::new();
    if spec.backoff_limit.is_none() {
        missing.push("`backoffLimit` (the default retries a failed dump six times, with growing delays, against a database that may be struggling)");
    }
    if spec.active_deadline_seconds.is_none() {
        missing.push("`activeDeadlineSeconds` (nothing stops a hung dump: it holds its connection and locks until someone deletes the Job)");
    }
    if spec.ttl_seconds_after_finished.is_none() {
        missing.push("`ttlSecondsAfterFinished` (the finished Job and its pods stay until deleted by hand)");
    }
    if missing.is_empty() {
        return;
    }
    out.report("spec", format!("backup Job `{}` ({why}) lacks {}", job.name, missing.join("; ")))
        .severity(Severity::Note)
        .label("unbounded backup Job")
        .help("bound the Job: `backoffLimit` (e.g. 2), `activeDeadlineSeconds` (longer than the slowest dump) and `ttlSecondsAfterFinished` (cleanup)");
}
