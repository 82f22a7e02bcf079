//! The run: parse inputs in parallel, index every object, run every rule on
//! every object in parallel, and resolve what rules reported to spans.
//! Output order is fixed (file, position, rule), whatever the thread count.

use rayon::prelude::*;

use crate::diagnostic::{Finding, ObjectRef, Problem, ProblemKind, Related, Skipped};
use crate::index::Index;
use crate::manifest::{load_file, LoadOptions, Object};
use crate::path::{locate, resolve};
use crate::rule::{Context, Pending, Sink};
use crate::rules::{self, Entry};
use crate::source::{FileId, SourceFile, Span};

/// What to run.
#[derive(Clone, Debug, Default)]
pub struct Settings {
    pub load: LoadOptions,
    /// Rule ids not to run.
    pub disabled: Vec<String>,
}

/// Everything a run produced; reporters read only this.
#[derive(Debug, Default)]
pub struct Outcome {
    pub files: Vec<SourceFile>,
    pub objects: usize,
    pub findings: Vec<Finding>,
    pub problems: Vec<Problem>,
    pub skipped: Vec<Skipped>,
    /// Findings not reported because their object's `stslint.io/ignore`
    /// annotation names the rule.
    pub suppressed: usize,
    /// Per file (indexed like `files`): spans of credential values found in
    /// the file whatever rules ran ([`crate::secrets::credential_spans`]).
    /// Reporters never show their text.
    pub secret_spans: Vec<Vec<crate::source::ByteSpan>>,
}

impl Outcome {
    pub fn file(&self, id: FileId) -> &SourceFile {
        &self.files[id.0 as usize]
    }

    /// The credential spans of a file (see [`Outcome::secret_spans`]).
    pub fn file_secrets(&self, id: FileId) -> &[crate::source::ByteSpan] {
        self.secret_spans
            .get(id.0 as usize)
            .map(Vec::as_slice)
            .unwrap_or_default()
    }
}

/// Lint `files`. `problems` are those found while reading them (unreadable,
/// too large, not UTF-8); they are carried into the outcome.
pub fn lint(files: Vec<SourceFile>, problems: Vec<Problem>, settings: &Settings) -> Outcome {
    let (files, mut problems) = canonical_order(files, problems);
    let loaded: Vec<_> = files
        .par_iter()
        .enumerate()
        .map(|(i, f)| load_file(FileId(i as u32), f, &settings.load))
        .collect();
    let mut objects = Vec::new();
    let mut skipped = Vec::new();
    let mut secret_spans = Vec::with_capacity(loaded.len());
    for r in loaded {
        secret_spans.push(r.secret_spans);
        objects.extend(r.objects);
        problems.extend(r.problems);
        skipped.extend(r.skipped);
    }
    let enabled: Vec<&Entry> = rules::ALL
        .iter()
        .filter(|e| !settings.disabled.iter().any(|d| d == e.id))
        .collect();
    let inputs_incomplete = problems.iter().any(|p| {
        p.severity() == crate::diagnostic::Severity::Error && !matches!(p.kind, ProblemKind::Config)
    });
    problems.extend(objects.iter().flat_map(suppression_problems));
    let results: Vec<(Finding, bool)> = {
        let index = Index::new(&objects, &files);
        index.prepare();
        let cx = Context {
            index: &index,
            inputs_incomplete,
        };
        run_rules(&objects, &enabled, &cx)
    };
    let suppressed = results.iter().filter(|(_, s)| *s).count();
    let mut findings: Vec<Finding> = results
        .into_iter()
        .filter(|(_, s)| !s)
        .map(|(f, _)| f)
        .collect();
    let name = |id: FileId| files[id.0 as usize].name.as_str();
    findings.sort_by(|a, b| {
        (name(a.span.file), a.span.bytes, a.rule, &a.message).cmp(&(
            name(b.span.file),
            b.span.bytes,
            b.rule,
            &b.message,
        ))
    });
    findings.dedup();
    problems.sort_by(|a, b| {
        (name(a.file), a.span, &a.message).cmp(&(name(b.file), b.span, &b.message))
    });
    skipped.sort_by(|a, b| (name(a.file), a.span).cmp(&(name(b.file), b.span)));
    let objects_len = objects.len();
    // Free the trees on every thread rather than one by one on this one.
    objects.into_par_iter().for_each(drop);
    Outcome {
        suppressed,
        objects: objects_len,
        files,
        findings,
        problems,
        skipped,
        secret_spans,
    }
}

/// Every enabled rule on every object, in parallel: each finding, and whether
/// its object's annotation suppresses it.
fn run_rules<'a>(
    objects: &'a [Object],
    enabled: &[&Entry],
    cx: &Context<'a>,
) -> Vec<(Finding, bool)> {
    objects
        .par_iter()
        .flat_map_iter(|obj| {
            let mut out = Vec::new();
            for e in enabled {
                let mut sink = Sink::default();
                e.rule.check(obj, cx, &mut sink);
                out.extend(sink.pending.into_iter().map(|p| {
                    let on = p.object.unwrap_or(obj);
                    (resolve_finding(e.id, obj, p), suppressed(on, e.id))
                }));
            }
            out
        })
        .collect()
}

/// Files in name order, whatever order they were given in: everything that
/// picks "the first" of several objects then picks the same one, so results
/// never depend on the order of the command line.
fn canonical_order(
    files: Vec<SourceFile>,
    mut problems: Vec<Problem>,
) -> (Vec<SourceFile>, Vec<Problem>) {
    let mut order: Vec<usize> = (0..files.len()).collect();
    order.sort_by(|&a, &b| files[a].name.cmp(&files[b].name));
    let mut new_id = vec![0u32; files.len()];
    for (new, &old) in order.iter().enumerate() {
        new_id[old] = new as u32;
    }
    for p in &mut problems {
        p.file = FileId(new_id[p.file.0 as usize]);
    }
    let mut slots: Vec<Option<SourceFile>> = files.into_iter().map(Some).collect();
    let files = order.iter().filter_map(|&i| slots[i].take()).collect();
    (files, problems)
}

/// The annotation that suppresses rules on one object: a comma- or
/// space-separated list of rule ids, or `all`.
pub const IGNORE_ANNOTATION: &str = "stslint.io/ignore";

fn ignore_list(obj: &Object) -> impl Iterator<Item = &str> {
    obj.annotation(IGNORE_ANNOTATION)
        .unwrap_or_default()
        .split([',', ' ', '\n', '\t'])
        .filter(|s| !s.is_empty())
}

fn suppressed(obj: &Object, rule: &str) -> bool {
    ignore_list(obj).any(|id| id == rule || id == "all")
}

/// Unknown rule ids in an ignore annotation: a typo there would otherwise
/// silently suppress nothing.
fn suppression_problems(obj: &Object) -> Vec<Problem> {
    let unknown: Vec<&str> = ignore_list(obj)
        .filter(|id| *id != "all" && rules::meta(id).is_none())
        .collect();
    if unknown.is_empty() {
        return Vec::new();
    }
    let (span, _) = locate(
        &obj.node,
        &crate::path::join_key("metadata.annotations", IGNORE_ANNOTATION),
        true,
    );
    vec![Problem {
        file: obj.file,
        span: Some(span),
        kind: crate::diagnostic::ProblemKind::Config,
        message: format!(
            "`{IGNORE_ANNOTATION}` on {} names unknown rule(s): {}",
            obj.display_name(),
            unknown.join(", ")
        ),
        help: Some("use rule ids from `stslint rules`, or `all`".into()),
    }]
}

fn resolve_finding(rule: &'static str, checked: &Object, p: Pending<'_>) -> Finding {
    let meta = rules::meta(rule);
    let obj = p.object.unwrap_or(checked);
    let bytes = p
        .span
        .unwrap_or_else(|| locate(&obj.node, &p.field, p.on_value).0);
    let related = p
        .related
        .iter()
        .map(|r| {
            let bytes = r
                .span
                .unwrap_or_else(|| locate(&r.object.node, &r.field, r.on_value).0);
            Related {
                span: Span {
                    file: r.object.file,
                    bytes,
                },
                message: r.message.clone(),
            }
        })
        .collect();
    let secrets = p
        .secrets
        .iter()
        .filter_map(|f| {
            let r = resolve(&obj.node, f);
            r.found.then_some(Span {
                file: obj.file,
                bytes: r.node.span,
            })
        })
        .collect();
    Finding {
        rule,
        severity: p
            .severity
            .or(meta.map(|m| m.severity))
            .unwrap_or(crate::diagnostic::Severity::Warning),
        label: p.label.unwrap_or_else(|| "here".into()),
        help: p
            .help
            .or_else(|| meta.map(|m| m.summary.clone()))
            .unwrap_or_default(),
        message: p.message,
        object: ObjectRef {
            kind: obj.kind.clone(),
            namespace: obj.namespace.clone(),
            name: obj.name.clone(),
        },
        field: p.field,
        span: Span {
            file: obj.file,
            bytes,
        },
        related,
        secrets,
    }
}
