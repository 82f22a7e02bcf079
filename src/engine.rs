//! The run: parse inputs in parallel, index every object, run every rule on
//! every object in parallel, and resolve what rules reported to spans.
//! Output order is fixed (file, position, rule), whatever the thread count.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use rayon::prelude::*;

use crate::diagnostic::{Finding, ObjectRef, Problem, ProblemKind, Related, Skipped, Suppressed};
use crate::facts::{BatchFacts, Extract, FactSink, Facts, Interner, Names, ObjId};
use crate::held::{Held, Note, Report, Unpacked};
use crate::manifest::{LoadOptions, Object};
use crate::path::{locate, resolve};
use crate::rule::{Pending, Sink};
use crate::rules::{self, Check, Entry};
use crate::source::{text_hash, FileId, LineCol, SourceFile, Span};
use crate::suppress::{Comment, Suppression};

/// What to run.
#[derive(Clone, Debug, Default)]
pub struct Settings {
    pub load: LoadOptions,
    /// Rule ids not to run.
    pub disabled: Vec<String>,
    /// Rules whose findings are reported at another severity than the rule's.
    pub severities: Vec<(&'static str, crate::diagnostic::Severity)>,
    /// Images the project declares as data stores.
    pub images: Option<Arc<crate::catalog::ExtraImages>>,
    /// Linking contexts: cross-object rules link objects of one context only.
    pub contexts: Option<crate::config::Contexts>,
}

/// Everything a run produced; reporters read only this.
#[derive(Debug, Default)]
pub struct Outcome {
    pub files: Vec<SourceFile>,
    pub objects: usize,
    pub findings: Vec<Finding>,
    pub problems: Vec<Problem>,
    pub skipped: Vec<Skipped>,
    /// Findings not reported because a suppression covers them (see
    /// [`crate::suppress`]), in the order of `findings`.
    pub suppressed: Vec<Suppressed>,
    /// Entries of the `--baseline` that match no finding any more (see
    /// [`crate::baseline`]).
    pub baseline_stale: usize,
    /// Per file (indexed like `files`): spans of credential values found in
    /// the file whatever rules ran ([`crate::secrets::credential_spans`]).
    /// Reporters never show their text.
    pub secret_spans: Vec<Vec<crate::source::ByteSpan>>,
    /// Per file read from disk (indexed like `files`): the line and column of
    /// every offset shown in output, sorted by offset.
    pub positions: Vec<Vec<(u32, LineCol)>>,
}

impl Outcome {
    pub fn file(&self, id: FileId) -> &SourceFile {
        &self.files[id.0 as usize]
    }

    /// The 1-based line and column of a byte offset of a file.
    pub fn line_col(&self, id: FileId, offset: u32) -> LineCol {
        let f = self.file(id);
        let table = self
            .positions
            .get(id.0 as usize)
            .map_or(&[][..], Vec::as_slice);
        match table.binary_search_by_key(&offset, |(o, _)| *o) {
            Ok(i) => table[i].1,
            // A held file can tell any offset.
            Err(_) if f.disk.is_none() => f.line_col(offset),
            // Only offsets that output shows are resolved.
            Err(_) => LineCol { line: 1, column: 1 },
        }
    }

    /// A file's text: held, or read again from disk (empty when it can no
    /// longer be read).
    pub fn text(&self, id: FileId) -> Arc<str> {
        let f = self.file(id);
        match &f.disk {
            None => f.text.clone(),
            Some(disk) => crate::discover::read_disk(id, &f.name, disk).0.text,
        }
    }

    /// Keep only what is reported on the files `reported` names (the others
    /// were read as context: see [`crate::discover::discover_with_context`]).
    /// A context file's input errors stay: it could not serve as context.
    pub fn report_only(&mut self, reported: impl Fn(&str) -> bool) {
        let keep: Vec<bool> = self.files.iter().map(|f| reported(&f.name)).collect();
        let kept = |id: FileId| keep.get(id.0 as usize).copied().unwrap_or(true);
        self.findings.retain(|f| kept(f.span.file));
        self.suppressed.retain(|s| kept(s.finding.span.file));
        self.skipped.retain(|s| kept(s.file));
        self.problems
            .retain(|p| kept(p.file) || p.severity() == crate::diagnostic::Severity::Error);
    }

    /// The credential spans of a file (see [`Outcome::secret_spans`]).
    pub fn file_secrets(&self, id: FileId) -> &[crate::source::ByteSpan] {
        self.secret_spans
            .get(id.0 as usize)
            .map(Vec::as_slice)
            .unwrap_or_default()
    }
}

/// Where a finding came from, to order findings that share a position, rule
/// and message as if every rule ran object by object: the object the rule
/// looked at (canonical order), then the order the rules reported in.
type Order = (u32, u32);

/// A finding, its order, and what suppresses it.
type Found = (Finding, Order, Option<Suppression>);

/// What reading one file produced, besides its facts and findings.
struct FileRead {
    /// Its problems, skipped documents and credential spans (its objects are
    /// gone).
    result: crate::manifest::FileResult,
    /// A file read from disk: its length and hash (see [`OnDisk::seen`]).
    seen: Option<(usize, u64)>,
    /// Its `# stslint-ignore` comments.
    comments: Vec<Comment>,
}

/// What reading one batch of consecutive files produced.
#[derive(Default)]
struct BatchRead {
    files: Vec<FileRead>,
    /// The batch's objects, in order: its small files share a part, and a
    /// streamed file has one of its own.
    parts: Vec<Part>,
}

/// The facts and findings of consecutive objects.
#[derive(Default)]
struct Part {
    facts: BatchFacts,
    /// Findings of the rules that look at one object; objects are numbered
    /// within the part until its first id is known.
    findings: Held,
    /// It holds one streamed file (see [`STREAM_ABOVE`]).
    alone: bool,
}

/// Files larger than this are linted a document at a time, as the parser
/// reads them, in a [`Part`] of their own (forgotten if the file turns out
/// not to parse): a file is then held one document at a time. Smaller files
/// are parsed whole first, the usual case and a little faster.
const STREAM_ABOVE: usize = 1 << 20;

/// How many consecutive files one task reads into one [`BatchFacts`]: a
/// few for small runs (the editor, pre-commit), up to 64 for large ones.
/// It depends on the number of files only, never on the thread count.
fn batch_size(files: usize) -> usize {
    (files / 128).clamp(1, 64)
}

/// Lint `files`. `problems` are those found while reading them (unreadable,
/// too large, not UTF-8); they are carried into the outcome.
pub fn lint(files: Vec<SourceFile>, problems: Vec<Problem>, settings: &Settings) -> Outcome {
    lint_in_batches(files, problems, settings, batch_size)
}

/// [`lint`], with `size` choosing how many files a batch holds.
fn lint_in_batches(
    files: Vec<SourceFile>,
    problems: Vec<Problem>,
    settings: &Settings,
    size: fn(usize) -> usize,
) -> Outcome {
    let (mut files, mut problems, contexts) =
        canonical_order(files, problems, settings.contexts.as_ref());
    let enabled: Vec<&Entry> = rules::ALL
        .iter()
        .filter(|e| !settings.disabled.iter().any(|d| d == e.id))
        .collect();
    let interner = Interner::default();
    let size = size(files.len());
    // Batches of consecutive files, never across two linking contexts.
    let batches: Vec<(u32, std::ops::Range<usize>)> = contexts
        .iter()
        .flat_map(|&(ctx, ref files)| {
            files
                .clone()
                .step_by(size)
                .map(move |start| (ctx, start..(start + size).min(files.end)))
        })
        .collect();
    let reads: Vec<(u32, BatchRead)> = batches
        .par_iter()
        .map(|(ctx, range)| {
            let mut batch = BatchRead::default();
            crate::catalog::with_extra_images(settings.images.as_ref(), || {
                for (i, f) in files[range.clone()].iter().enumerate() {
                    let id = FileId((range.start + i) as u32);
                    read_file(id, f, settings, &enabled, &interner, &mut batch);
                }
            });
            for part in &mut batch.parts {
                part.facts.shrink();
                part.findings.shrink();
            }
            (*ctx, batch)
        })
        .collect();
    drop(batches);
    let mut objects = 0u32;
    let mut skipped = Vec::new();
    let mut secret_spans = Vec::with_capacity(files.len());
    let mut secret_texts: Vec<Box<str>> = Vec::new();
    // Per linking context: its first object and its batches' facts.
    let mut context_facts: Vec<(u32, u32, Vec<BatchFacts>)> = Vec::new();
    // Each batch's findings stay in its own list until the facts are gone:
    // one list for all would be a second copy at the run's peak.
    let mut local: Vec<Held> = Vec::with_capacity(reads.len());
    let mut comments: HashMap<FileId, Vec<(Comment, Vec<bool>)>> = HashMap::new();
    let mut sources = files.iter_mut().enumerate();
    for (ctx, batch) in reads {
        if context_facts.last().is_none_or(|(c, _, _)| *c != ctx) {
            context_facts.push((ctx, objects, Vec::new()));
        }
        for mut part in batch.parts {
            let base = objects;
            objects += part.facts.idents.len() as u32;
            part.findings.rebase(base);
            local.push(part.findings);
            if let Some((_, _, facts)) = context_facts.last_mut() {
                facts.push(part.facts);
            }
        }
        for (r, (i, f)) in batch.files.into_iter().zip(&mut sources) {
            if !r.comments.is_empty() {
                let list = r.comments.into_iter().map(|c| {
                    let used = vec![false; c.targets.len()];
                    (c, used)
                });
                comments.insert(FileId(i as u32), list.collect());
            }
            if let Some(disk) = &mut f.disk {
                disk.seen = r.seen;
            }
            secret_spans.push(r.result.secret_spans);
            secret_texts.extend(r.result.secret_texts);
            problems.extend(r.result.problems);
            skipped.extend(r.result.skipped);
        }
    }
    let inputs_incomplete = problems.iter().any(|p| {
        p.severity() == crate::diagnostic::Severity::Error && !matches!(p.kind, ProblemKind::Config)
    });
    // The cross-object rules, once per linking context: objects of one
    // context never link with another's.
    let mut strings = interner.freeze();
    let mut cross = Vec::new();
    let mut named = Vec::new();
    for (_, base, batch_facts) in context_facts {
        let facts = Facts::new(batch_facts, strings, &files, inputs_incomplete);
        facts.prepare();
        for mut held in run_fact_rules(&facts, &enabled) {
            held.rebase(base);
            cross.push(held);
        }
        // Only who each object is stays, to build the findings.
        let (batches, s) = facts.into_names().into_parts();
        strings = s;
        named.push((base, batches));
    }
    let names = crate::facts::Names::from_parts(named, strings);
    let mut found: Vec<Found> = Vec::with_capacity(local.iter().chain(&cross).map(Held::len).sum());
    // No message of the run prints a credential value: an object's kind or
    // name, a label value, an error's text may be one.
    secret_texts.sort();
    secret_texts.dedup();
    let scrubber = crate::secrets::Scrubber::new(&secret_texts);
    drop(secret_texts);
    let mut build = Build {
        severities: &settings.severities,
        names: &names,
        objects: HashMap::new(),
        paths: HashSet::new(),
        scrubber: scrubber.as_ref(),
        used: HashSet::new(),
    };
    for held in local {
        held.drain(|u| found.push(build.finding(u)));
    }
    for held in cross {
        // Within one object, findings keep the order the rule reported.
        let mut seqs: HashMap<ObjId, u32> = HashMap::new();
        held.drain(|mut u| {
            let seq = seqs.entry(u.report.subject).or_default();
            u.report.seq = *seq;
            *seq += 1;
            found.push(build.finding(u));
        });
    }
    let used = std::mem::take(&mut build.used);
    drop(build);
    if !comments.is_empty() {
        for (f, _, by) in found.iter_mut().filter(|(_, _, by)| by.is_none()) {
            *by = comment_suppression(&mut comments, f);
        }
    }
    let ran = |rule: &str| {
        enabled
            .iter()
            .any(|e| e.id == rule && !(inputs_incomplete && matches!(e.rule, Check::Facts(_))))
    };
    problems.extend(unused_suppressions(&names, &used, &comments, ran));
    drop(comments);
    drop(names);
    let mut reported: Vec<(Finding, Order)> = Vec::with_capacity(found.len());
    let mut suppressed: Vec<(Finding, Order, Suppression)> = Vec::new();
    for (f, o, by) in found {
        match by {
            None => reported.push((f, o)),
            Some(mut by) => {
                if let (Some(s), Some(r)) = (&scrubber, &mut by.reason) {
                    scrub(s, r);
                }
                suppressed.push((f, o, by));
            }
        }
    }
    let name = |id: FileId| files[id.0 as usize].name.as_str();
    let order = |a: &Finding, ao: &Order, b: &Finding, bo: &Order| {
        (name(a.span.file), a.span.bytes, a.rule, &a.message, ao).cmp(&(
            name(b.span.file),
            b.span.bytes,
            b.rule,
            &b.message,
            bo,
        ))
    };
    reported.par_sort_by(|(a, ao), (b, bo)| order(a, ao, b, bo));
    let mut findings: Vec<Finding> = reported.into_iter().map(|(f, _)| f).collect();
    findings.dedup();
    suppressed.sort_by(|(a, ao, _), (b, bo, _)| order(a, ao, b, bo));
    let mut suppressed: Vec<Suppressed> = suppressed
        .into_iter()
        .map(|(finding, _, by)| Suppressed { finding, by })
        .collect();
    suppressed.dedup();
    if let Some(s) = &scrubber {
        for p in &mut problems {
            scrub(s, &mut p.message);
            if let Some(h) = &mut p.help {
                scrub(s, h);
            }
        }
        for k in &mut skipped {
            scrub(s, &mut k.reason);
        }
    }
    problems.sort_by(|a, b| {
        (name(a.file), a.span, &a.message).cmp(&(name(b.file), b.span, &b.message))
    });
    skipped.sort_by(|a, b| (name(a.file), a.span).cmp(&(name(b.file), b.span)));
    let (positions, changed) = positions(&files, &findings, &suppressed, &problems, &skipped);
    problems.extend(changed);
    Outcome {
        suppressed,
        baseline_stale: 0,
        objects: objects as usize,
        files,
        findings,
        problems,
        skipped,
        secret_spans,
        positions,
    }
}

/// Offsets of one file and their line and column, sorted by offset.
type Positions = Vec<(u32, LineCol)>;

/// The line and column of every offset that output shows, resolved in one
/// pass over each file (see [`SourceFile::line_cols`]); the files that are no
/// longer held are read again, in parallel, one at a time.
fn positions(
    files: &[SourceFile],
    findings: &[Finding],
    suppressed: &[Suppressed],
    problems: &[Problem],
    skipped: &[Skipped],
) -> (Vec<Positions>, Vec<Problem>) {
    let mut wanted: Vec<Vec<u32>> = vec![Vec::new(); files.len()];
    let mut want = |file: FileId, b: crate::source::ByteSpan| {
        if let Some(w) = wanted.get_mut(file.0 as usize) {
            w.extend([b.start, b.end]);
        }
    };
    for f in findings.iter().chain(suppressed.iter().map(|s| &s.finding)) {
        want(f.span.file, f.span.bytes);
        for r in &f.related {
            want(r.span.file, r.span.bytes);
        }
        for e in f.fix.iter().flat_map(|x| x.edits.iter()) {
            want(f.span.file, e.span);
        }
    }
    for p in problems {
        if let Some(b) = p.span {
            want(p.file, b);
        }
    }
    for s in skipped {
        want(s.file, s.span);
    }
    let resolved: Vec<(Positions, Option<Problem>)> = files
        .par_iter()
        .zip(wanted)
        .enumerate()
        .map(|(i, (f, mut offsets))| {
            if offsets.is_empty() {
                return (Vec::new(), None);
            }
            offsets.sort_unstable();
            offsets.dedup();
            let Some(disk) = &f.disk else {
                let table = offsets.iter().copied().zip(f.line_cols(&offsets));
                return (table.collect(), None);
            };
            let id = FileId(i as u32);
            let (text, _) = crate::discover::read_disk(id, &f.name, disk);
            let changed = disk.seen != Some((text.text.len(), text_hash(&text.text)));
            let table = offsets
                .iter()
                .copied()
                .zip(text.line_cols(&offsets))
                .collect();
            let problem = changed.then(|| Problem {
                file: id,
                span: None,
                kind: ProblemKind::Io,
                message: "the file changed while it was being linted: positions may be wrong"
                    .into(),
                help: Some("lint it again".into()),
            });
            (table, problem)
        })
        .collect();
    let mut changed = Vec::new();
    let positions = resolved
        .into_iter()
        .map(|(t, p)| {
            changed.extend(p);
            t
        })
        .collect();
    (positions, changed)
}

/// Parse one file, run the rules that look at one object, and record the
/// facts the cross-object rules need, in `batch`.
fn read_file(
    id: FileId,
    file: &SourceFile,
    settings: &Settings,
    enabled: &[&Entry],
    interner: &Interner,
    batch: &mut BatchRead,
) {
    let read;
    let mut read_problem = None;
    let mut seen = None;
    let file = match &file.disk {
        Some(disk) => {
            let (f, p) = crate::discover::read_disk(id, &file.name, disk);
            read_problem = p;
            seen = Some((f.text.len(), text_hash(&f.text)));
            read = f;
            &read
        }
        None => file,
    };
    let streamed = file.text.len() > STREAM_ABOVE;
    if streamed || batch.parts.last().is_none_or(|p| p.alone) {
        batch.parts.push(Part {
            alone: streamed,
            ..Part::default()
        });
    }
    let Some(part) = batch.parts.last_mut() else {
        return;
    };
    let (comments, comment_problems) = crate::suppress::comments(id, &file.text);
    let mut lint = Lint {
        x: Extract { interner, file: id },
        enabled,
        part,
        held: (!streamed).then(Vec::new),
        problems: comment_problems,
        comments,
    };
    let mut result = crate::manifest::read_file(id, file, &settings.load, &mut lint);
    for obj in lint.held.take().unwrap_or_default() {
        lint.check(obj);
    }
    result.problems.extend(read_problem);
    result.problems.extend(lint.problems);
    batch.files.push(FileRead {
        result,
        seen,
        comments: lint.comments,
    });
}

/// Each object of a file: its facts recorded and the rules that look at one
/// object run, then it goes (what the cross-object rules need is in the
/// facts).
struct Lint<'a> {
    x: Extract<'a>,
    enabled: &'a [&'a Entry],
    part: &'a mut Part,
    /// A small file's objects, held until the whole file has parsed; a
    /// streamed file's are checked as they come.
    held: Option<Vec<Object>>,
    /// Problems with the objects' suppressions.
    problems: Vec<Problem>,
    /// The file's `# stslint-ignore` comments (those inside a string are
    /// dropped as the objects come).
    comments: Vec<Comment>,
}

impl Lint<'_> {
    fn check(&mut self, obj: Object) {
        let subject = ObjId(self.part.facts.idents.len() as u32);
        crate::facts::extract(&obj, &self.x, &mut self.part.facts);
        let mut seq = 0;
        for e in self.enabled {
            let Check::Local(rule) = e.rule else { continue };
            let mut sink = Sink::default();
            rule.check(&obj, &mut sink);
            for p in sink.pending {
                hold_finding(
                    e.id,
                    &obj,
                    p,
                    (subject, seq, subject),
                    &mut self.part.findings,
                );
                seq += 1;
            }
        }
        crate::suppress::drop_inside_strings(&mut self.comments, &obj.node);
        let (written, problems) = crate::suppress::of_object(&obj);
        if !written.is_empty() {
            let s = &mut self.part.facts.suppressions;
            s.push((subject.0, written.into_boxed_slice()));
        }
        self.problems.extend(problems);
    }
}

impl crate::manifest::Objects for Lint<'_> {
    fn object(&mut self, obj: Object) {
        match &mut self.held {
            Some(held) => held.push(obj),
            None => self.check(obj),
        }
    }

    fn discard(&mut self) {
        match &mut self.held {
            Some(held) => held.clear(),
            None => {
                *self.part = Part {
                    alone: true,
                    ..Part::default()
                };
            }
        }
        self.problems.clear();
    }
}

/// The rules that look across objects through their facts, in parallel,
/// each holding its findings apart (see [`Held`]).
fn run_fact_rules(facts: &Facts, enabled: &[&Entry]) -> Vec<Held> {
    let rules: Vec<(&'static str, &dyn crate::facts::FactRule)> = enabled
        .iter()
        .filter_map(|e| match e.rule {
            Check::Facts(r) => Some((e.id, r)),
            _ => None,
        })
        .collect();
    rules
        .par_iter()
        .map(|&(id, rule)| {
            let mut sink = FactSink::default();
            rule.check(facts, &mut sink);
            sink.finish(id)
        })
        .collect()
}

/// What a finding shows when its rule did not say: the rule's severity, the
/// label "here", the rule's summary as help.
fn defaults(
    rule: &str,
    severity: Option<crate::diagnostic::Severity>,
    label: Option<Cow<'static, str>>,
    help: Option<Cow<'static, str>>,
) -> (
    crate::diagnostic::Severity,
    Cow<'static, str>,
    Cow<'static, str>,
) {
    let meta = rules::meta(rule);
    (
        severity
            .or(meta.map(|m| m.severity))
            .unwrap_or(crate::diagnostic::Severity::Warning),
        label.unwrap_or(Cow::Borrowed("here")),
        help.or_else(|| meta.map(|m| Cow::Borrowed(m.summary.as_str())))
            .unwrap_or_default(),
    )
}

/// Files of one linking context (numbered in order of their key, the default
/// context first) are the files of a range.
type ContextRanges = Vec<(u32, std::ops::Range<usize>)>;

/// Files in name order, whatever order they were given in: everything that
/// picks "the first" of several objects then picks the same one, so results
/// never depend on the order of the command line. With linking contexts, the
/// files of each context come together, in name order within it.
fn canonical_order(
    files: Vec<SourceFile>,
    mut problems: Vec<Problem>,
    contexts: Option<&crate::config::Contexts>,
) -> (Vec<SourceFile>, Vec<Problem>, ContextRanges) {
    let mut files: Vec<(u32, Option<String>, SourceFile)> = (0..)
        .zip(files)
        .map(|(i, f)| (i, contexts.and_then(|c| c.of(&f.name)), f))
        .collect();
    files.sort_by(|(_, ca, a), (_, cb, b)| (ca, &a.name).cmp(&(cb, &b.name)));
    let mut new_id = vec![0u32; files.len()];
    for (new, (old, _, _)) in files.iter().enumerate() {
        new_id[*old as usize] = new as u32;
    }
    for p in &mut problems {
        p.file = FileId(new_id[p.file.0 as usize]);
    }
    let mut ranges: ContextRanges = Vec::new();
    for (i, (_, ctx, _)) in files.iter().enumerate() {
        match ranges.last_mut() {
            Some((_, r)) if files[r.start].1 == *ctx => r.end = i + 1,
            _ => ranges.push((ranges.len() as u32, i..i + 1)),
        }
    }
    let files = files.into_iter().map(|(_, _, f)| f).collect();
    (files, problems, ranges)
}

/// The `# stslint-ignore` comments of each file, with which of their
/// targets suppressed something.
type FileComments = HashMap<FileId, Vec<(Comment, Vec<bool>)>>;

/// The comment that covers a finding's line and names its rule, if any.
fn comment_suppression(comments: &mut FileComments, f: &Finding) -> Option<Suppression> {
    let list = comments.get_mut(&f.span.file)?;
    let at = f.span.bytes.start;
    let mut by = None;
    for (c, used) in list
        .iter_mut()
        .filter(|(c, _)| c.covers.start <= at && at <= c.covers.end)
    {
        for (t, u) in c.targets.iter().zip(used.iter_mut()) {
            if t.covers(f.rule, &f.message) {
                *u = true;
                by.get_or_insert_with(|| c.suppression());
            }
        }
    }
    by
}

/// stslint's own suppressions that suppressed nothing, as notes: only for
/// rules that ran (`ran`), so `--select` reports none of the others'.
fn unused_suppressions(
    names: &Names,
    used: &HashSet<(ObjId, usize, usize)>,
    comments: &FileComments,
    ran: impl Fn(&str) -> bool,
) -> Vec<Problem> {
    let mut out = Vec::new();
    let unused = |t: &crate::suppress::Target| match t.rule {
        Some(r) => ran(r).then(|| format!("`{r}`")),
        None => Some("`all`".to_string()),
    };
    for (id, written) in names.all_suppressions() {
        let ident = names.ident(id);
        for (w, written) in written.iter().enumerate().filter(|(_, w)| w.own) {
            let idle: Vec<String> = (written.targets.iter().enumerate())
                .filter(|(t, _)| !used.contains(&(id, w, *t)))
                .filter_map(|(_, t)| unused(t))
                .collect();
            if idle.is_empty() {
                continue;
            }
            out.push(Problem {
                file: ident.file,
                span: Some(written.span),
                kind: ProblemKind::UnusedSuppression,
                message: format!(
                    "the {} of {} `{}` suppresses {}, which {} nothing on it",
                    written.via,
                    names.str(ident.kind),
                    names.str(ident.name),
                    idle.join(", "),
                    if idle.len() == 1 { "reports" } else { "report" }
                ),
                help: Some(
                    "remove it: a stale suppression would hide the next real finding".into(),
                ),
            });
        }
    }
    for (&file, list) in comments {
        for (c, used) in list {
            let idle: Vec<String> = (c.targets.iter().zip(used))
                .filter(|(_, u)| !**u)
                .filter_map(|(t, _)| unused(t))
                .collect();
            if idle.is_empty() {
                continue;
            }
            out.push(Problem {
                file,
                span: Some(c.span),
                kind: ProblemKind::UnusedSuppression,
                message: format!(
                    "this `# {}` comment suppresses {}, which {} nothing on the line it covers",
                    crate::suppress::COMMENT,
                    idle.join(", "),
                    if idle.len() == 1 { "reports" } else { "report" }
                ),
                help: Some(
                    "remove it, or move it to the line of the finding (or the line before it)"
                        .into(),
                ),
            });
        }
    }
    out
}

/// Resolve what a rule reported on one object to spans, and hold it.
fn hold_finding(
    rule: &'static str,
    checked: &Object,
    p: Pending<'_>,
    (subject, seq, on): (ObjId, u32, ObjId),
    out: &mut Held,
) {
    let obj = p.object.unwrap_or(checked);
    let bytes = p
        .span
        .unwrap_or_else(|| locate(&obj.node, &p.field, p.on_value).0);
    let related = p.related.iter().map(|r| {
        let bytes = r
            .span
            .unwrap_or_else(|| locate(&r.object.node, &r.field, r.on_value).0);
        let span = Span {
            file: r.object.file,
            bytes,
        };
        (span, r.message.as_str())
    });
    let secrets = p.secrets.iter().filter_map(|f| {
        let r = resolve(&obj.node, f);
        r.found.then_some(r.node.span)
    });
    let report = Report {
        rule: Some(rule),
        subject,
        seq,
        on,
        field: &p.field,
        bytes,
        message: &p.message,
        label: p.label.as_ref().map(Note::of),
        help: p.help.as_ref().map(Note::of),
        severity: p.severity,
        fix: p.fix.as_ref(),
    };
    out.push(report, related, secrets);
}

/// Builds findings from what was held, once the rules are done: one copy of
/// each object's name and of each field path, shared by its findings.
struct Build<'a> {
    severities: &'a [(&'static str, crate::diagnostic::Severity)],
    names: &'a Names,
    objects: HashMap<ObjId, Arc<ObjectRef>>,
    paths: HashSet<Arc<str>>,
    scrubber: Option<&'a crate::secrets::Scrubber>,
    /// The (object, suppression, target) that suppressed something.
    used: HashSet<(ObjId, usize, usize)>,
}

/// Mask any credential value in `s`.
fn scrub(s: &crate::secrets::Scrubber, text: &mut String) {
    if let Cow::Owned(clean) = s.scrub(text) {
        *text = clean;
    }
}

impl Build<'_> {
    fn finding(&mut self, u: Unpacked<'_>) -> Found {
        let Unpacked {
            report: r,
            related,
            secrets,
        } = u;
        let fix = r.fix.map(|x| {
            let mut x = x.clone();
            if let Some(Cow::Owned(t)) = self.scrubber.map(|c| c.scrub(&x.title)) {
                x.title = t.into();
            }
            Box::new(x)
        });
        let rule = r.rule.unwrap_or_default();
        let names = self.names;
        let on = names.ident(r.on);
        let scrubber = self.scrubber;
        let clean = |s: &str| match scrubber {
            Some(c) => c.scrub(s).into_owned(),
            None => s.to_string(),
        };
        let object = self
            .objects
            .entry(r.on)
            .or_insert_with(|| {
                Arc::new(ObjectRef {
                    kind: clean(names.str(on.kind)),
                    namespace: on.namespace.map(|n| clean(names.str(n))),
                    name: clean(names.str(on.name)),
                })
            })
            .clone();
        let field = match self.paths.get(r.field) {
            Some(p) => p.clone(),
            None => {
                let p: Arc<str> = Arc::from(r.field);
                self.paths.insert(p.clone());
                p
            }
        };
        let (mut severity, mut label, mut help) = defaults(
            rule,
            r.severity,
            r.label.map(Note::to_cow),
            r.help.map(Note::to_cow),
        );
        // The project's severity for the rule wins over the rule's own.
        if let Some(&(_, s)) = self.severities.iter().find(|(id, _)| *id == rule) {
            severity = s;
        }
        let mut message: Box<str> = r.message.into();
        if let Some(c) = scrubber {
            for text in [&mut label, &mut help] {
                if let Cow::Owned(t) = c.scrub(text) {
                    *text = Cow::Owned(t);
                }
            }
            if let Cow::Owned(t) = c.scrub(&message) {
                message = t.into();
            }
        }
        let finding = Finding {
            rule,
            severity,
            label,
            help,
            message,
            object,
            field,
            span: Span {
                file: on.file,
                bytes: r.bytes,
            },
            origin: names.origin(r.on).map(|o| match scrubber {
                Some(c) if matches!(c.scrub(&o.path), Cow::Owned(_)) => {
                    Arc::new(crate::diagnostic::Origin {
                        path: c.scrub(&o.path).into(),
                        ..(**o).clone()
                    })
                }
                _ => o.clone(),
            }),
            related: related
                .into_iter()
                .map(|(span, m)| Related {
                    span,
                    message: clean(m),
                })
                .collect(),
            secrets: secrets
                .iter()
                .map(|&bytes| Span {
                    file: on.file,
                    bytes,
                })
                .collect(),
            fix,
        };
        let mut by = None;
        for (w, written) in names.suppressions(r.on).iter().enumerate() {
            for (t, target) in written.targets.iter().enumerate() {
                if target.covers(rule, &finding.message) {
                    self.used.insert((r.on, w, t));
                    by.get_or_insert_with(|| written.suppression());
                }
            }
        }
        (finding, (r.subject.0, r.seq), by)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every fixture, held in memory.
    fn fixtures() -> Vec<SourceFile> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
        let mut files = Vec::new();
        for dir in std::fs::read_dir(&root).expect("fixtures") {
            let dir = dir.expect("fixture dir").path();
            for f in std::fs::read_dir(&dir).expect("fixture files") {
                let f = f.expect("fixture file").path();
                if f.extension()
                    .is_some_and(|e| e == "yaml" || e == "yml" || e == "json")
                {
                    let text = std::fs::read_to_string(&f).expect("fixture text");
                    files.push(SourceFile::new(f.display().to_string(), text));
                }
            }
        }
        files
    }

    /// How files are batched never changes what a run reports: one file a
    /// batch, a few, and all of them in one.
    #[test]
    fn batches_do_not_change_results() {
        let run = |size: fn(usize) -> usize| {
            let o = lint_in_batches(fixtures(), Vec::new(), &Settings::default(), size);
            let findings: Vec<String> = o
                .findings
                .iter()
                .map(|f| format!("{} {:?} {} {}", f.rule, f.span, f.field, f.message))
                .collect();
            (findings, o.suppressed, o.objects)
        };
        let one = run(|_| 1);
        assert!(one.0.len() > 100, "the fixtures report findings");
        assert_eq!(one, run(|_| 3));
        assert_eq!(one, run(|_| 64));
        assert_eq!(one, run(|n| n.max(1)));
    }
}
