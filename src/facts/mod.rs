//! Facts: what cross-object rules need to know about each object, kept after
//! its file's tree and typed objects are dropped.
//!
//! A run reads each file once (in parallel): it parses it, runs the rules that
//! look at one object, and records for every object an [`Ident`] plus the
//! compact facts that cross-object rules read (by module, in [`BatchFacts`]).
//! Then the file's text, tree and typed objects can go. Once every file is
//! read, [`Facts`] joins the files' facts, and each cross-object rule
//! ([`FactRule`]) answers its question through tables keyed by what it looks
//! up, never by scanning objects.
//!
//! Facts store spans already resolved (a rule that may point at another
//! object's `spec.selector` records that span when it reads the object), so no
//! file is parsed twice.

pub mod append;
pub mod backup;
pub mod intern;
pub mod pods;
pub mod storage;

use rayon::slice::ParallelSliceMut;
use std::borrow::Cow;

use std::collections::HashMap;

use crate::diagnostic::Severity;
use crate::manifest::{Object, Typed};
use crate::source::{ByteSpan, FileId, SourceFile, Span};

pub use intern::{Interner, Strings, Sym};

/// An object's place in canonical order (files by name, then position in the
/// file): the same whatever the command line's order or the thread count.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ObjId(pub u32);

/// Which typed value an object has ([`Typed`] without the value).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TypedTag {
    StatefulSet,
    Deployment,
    DaemonSet,
    ReplicaSet,
    Pod,
    Job,
    CronJob,
    Service,
    PodDisruptionBudget,
    StorageClass,
    ConfigMap,
    Secret,
    PersistentVolumeClaim,
    HorizontalPodAutoscaler,
    Generic,
}

impl TypedTag {
    pub fn of(typed: &Typed) -> Self {
        match typed {
            Typed::StatefulSet(_) => TypedTag::StatefulSet,
            Typed::Deployment(_) => TypedTag::Deployment,
            Typed::DaemonSet(_) => TypedTag::DaemonSet,
            Typed::ReplicaSet(_) => TypedTag::ReplicaSet,
            Typed::Pod(_) => TypedTag::Pod,
            Typed::Job(_) => TypedTag::Job,
            Typed::CronJob(_) => TypedTag::CronJob,
            Typed::Service(_) => TypedTag::Service,
            Typed::PodDisruptionBudget(_) => TypedTag::PodDisruptionBudget,
            Typed::StorageClass(_) => TypedTag::StorageClass,
            Typed::ConfigMap(_) => TypedTag::ConfigMap,
            Typed::Secret(_) => TypedTag::Secret,
            Typed::PersistentVolumeClaim(_) => TypedTag::PersistentVolumeClaim,
            Typed::HorizontalPodAutoscaler(_) => TypedTag::HorizontalPodAutoscaler,
            Typed::Generic => TypedTag::Generic,
        }
    }
}

/// A run of a per-file arena (lists of labels, names, expressions): two
/// numbers instead of a `Vec` per object.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Slice {
    pub start: u32,
    pub len: u32,
}

impl Slice {
    /// The elements of `arena` pushed since `start`.
    pub fn of<T>(arena: &[T], start: usize) -> Slice {
        Slice {
            start: start as u32,
            len: (arena.len() - start) as u32,
        }
    }

    pub fn get<T>(self, arena: &[T]) -> &[T] {
        arena.get(self.range()).unwrap_or_default()
    }

    pub fn range(self) -> std::ops::Range<usize> {
        self.start as usize..(self.start + self.len) as usize
    }
}

/// Every object: who it is and where it comes from.
#[derive(Clone, Copy, Debug)]
pub struct Ident {
    pub file: FileId,
    pub api_version: Sym,
    pub kind: Sym,
    /// `None`: no namespace (see [`Object::namespace`]).
    pub namespace: Option<Sym>,
    pub name: Sym,
    pub typed: TypedTag,
}

/// A batch of consecutive files (in canonical order) whose facts are kept
/// together: one set of lists for many small files, where a set per file
/// cost more in list headers and allocations than the facts themselves.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct BatchId(pub u32);

/// What one batch of files contributes to the cross-object phase. Each
/// module that serves cross-object rules keeps its own part here. An
/// object's "local" index is its place in the batch.
#[derive(Default)]
pub struct BatchFacts {
    /// One per object of the batch, in order.
    pub idents: Vec<Ident>,
    /// The suppressions written on the few objects that have one: (local
    /// index, suppressions), in order.
    pub suppressions: Vec<(u32, Box<[crate::suppress::Written]>)>,
    /// The origin of the objects rendered by helm or kustomize (see
    /// [`Object::origin`]): (local index, origin), in order.
    pub origins: Vec<(u32, std::sync::Arc<crate::diagnostic::Origin>)>,
    /// `duplicate-object`: the span of each object's `metadata.name` value.
    pub name_values: Vec<ByteSpan>,
    /// StatefulSets, Services and backups (see [`backup`]).
    pub backup: backup::FileBackup,
    pub pods: pods::FilePods,
    pub storage: storage::FileStorage,
    /// Where fixes may write a new document after a workload's.
    pub appends: append::FileAppends,
}

/// Give back a list's spare room. `shrink_to_fit` may keep the block (the
/// allocator shrinks in place, and mimalloc keeps a block that would still be
/// at least half used), so the elements move to a block of their size.
pub fn trim<T>(v: &mut Vec<T>) {
    if v.capacity() > v.len() {
        let mut exact = Vec::with_capacity(v.len());
        exact.append(v);
        *v = exact;
    }
}

/// The elements of `sorted` (sorted by `key_of`) whose key is `key`.
pub fn equal_run<'a, T, K: Ord>(sorted: &'a [T], key: &K, key_of: impl Fn(&T) -> K) -> &'a [T] {
    let start = sorted.partition_point(|t| key_of(t) < *key);
    let len = sorted[start..].partition_point(|t| key_of(t) == *key);
    &sorted[start..start + len]
}

/// A string in a block of its length (see [`trim`]).
pub fn exact(s: String) -> Box<str> {
    if s.capacity() == s.len() {
        s.into_boxed_str()
    } else {
        Box::from(s.as_str())
    }
}

impl BatchFacts {
    /// Give back the spare room of every list once the batch is read.
    pub fn shrink(&mut self) {
        trim(&mut self.idents);
        trim(&mut self.suppressions);
        trim(&mut self.origins);
        trim(&mut self.name_values);
        self.backup.shrink();
        self.pods.shrink();
        self.storage.shrink();
        self.appends.shrink();
    }
}

/// Reading one file: the interner shared by every thread, and the file.
pub struct Extract<'a> {
    pub interner: &'a Interner,
    pub file: FileId,
}

impl Extract<'_> {
    pub fn sym(&self, s: &str) -> Sym {
        self.interner.intern(s)
    }
}

/// Record what the cross-object phase needs to know about `obj`, the next
/// object of the file.
pub fn extract(obj: &Object, x: &Extract<'_>, out: &mut BatchFacts) {
    pods::extract(obj, x, out.idents.len() as u32, &mut out.pods);
    out.idents.push(Ident {
        file: x.file,
        api_version: x.sym(&obj.api_version),
        kind: x.sym(&obj.kind),
        namespace: obj.namespace.as_deref().map(|n| x.sym(n)),
        name: x.sym(&obj.name),
        typed: TypedTag::of(&obj.typed),
    });
    if let Some(o) = &obj.origin {
        // Consecutive objects of one template share one copy.
        let o = match out.origins.last() {
            Some((_, last)) if **last == *o => last.clone(),
            _ => std::sync::Arc::new(o.clone()),
        };
        out.origins.push((out.idents.len() as u32 - 1, o));
    }
    out.name_values
        .push(crate::path::locate(&obj.node, "metadata.name", true).0);
    backup::extract(obj, x, out.idents.len() as u32 - 1, &mut out.backup);
    storage::extract(obj, out.idents.len() as u32 - 1, x, &mut out.storage);
    append::extract(obj, x, out.idents.len() as u32 - 1, &mut out.appends);
}

/// Objects sharing a lookup key, in canonical order, and how to find the one
/// nearest to a given file without scanning them all.
#[derive(Default, Debug)]
pub struct Near {
    pub ids: Vec<ObjId>,
    /// The first object per directory, for groups too big to scan.
    first_in_dir: HashMap<u32, ObjId>,
}

impl Near {
    /// Groups up to this size are scanned; bigger ones get a directory table.
    const SCAN: usize = 16;

    pub fn finish(&mut self, facts: &Facts) {
        trim(&mut self.ids);
        if self.ids.len() > Self::SCAN {
            for &i in &self.ids {
                let d = facts.dir(facts.ident(i).file);
                self.first_in_dir.entry(d).or_insert(i);
            }
        }
    }
}

/// Every batch's facts, joined once every file is read.
pub struct Facts {
    pub batches: Vec<BatchFacts>,
    pub strings: Strings,
    /// Some input could not be turned into objects (see
    /// [`crate::rule::Context::inputs_incomplete`]).
    pub inputs_incomplete: bool,
    /// The first object of each batch.
    base: Vec<u32>,
    /// The number of objects.
    len: usize,
    /// The directory of each file, as a small number (for "nearest").
    dirs: Vec<u32>,
    /// (kind, namespace, name) → objects.
    by_key: ByKey,
    /// Built on first use (see [`backup::backup_jobs`]).
    backup_jobs: std::sync::OnceLock<backup::BackupJobs>,
    pod_tables: pods::Tables,
    /// Built on first use: which StorageClass each claim template uses.
    pub storage_classes: std::sync::OnceLock<storage::classes::Tables>,
}

/// Who each object is, kept once the rules are done (see
/// [`Facts::into_names`]) until the findings are built.
pub struct Names {
    batches: Vec<NamedBatch>,
    strings: Strings,
}

/// A batch's part of [`Names`].
struct NamedBatch {
    /// The batch's first object.
    start: u32,
    idents: Vec<Ident>,
    /// See [`BatchFacts::suppressions`].
    suppressions: Vec<(u32, Box<[crate::suppress::Written]>)>,
    /// See [`BatchFacts::origins`].
    origins: Vec<(u32, std::sync::Arc<crate::diagnostic::Origin>)>,
}

/// The batches of one [`Names`], without its strings (see
/// [`Names::into_parts`]).
pub struct NamedBatches(Vec<NamedBatch>);

impl Names {
    /// The batches and the strings apart: the strings go on to the next
    /// linking context's facts.
    pub fn into_parts(self) -> (NamedBatches, Strings) {
        (NamedBatches(self.batches), self.strings)
    }

    /// The names of every linking context, each numbered from its first
    /// object (`base`), in order.
    pub fn from_parts(parts: Vec<(u32, NamedBatches)>, strings: Strings) -> Names {
        let mut batches = Vec::new();
        for (base, NamedBatches(part)) in parts {
            batches.extend(part.into_iter().map(|mut b| {
                b.start += base;
                b
            }));
        }
        Names { batches, strings }
    }

    /// The batch of `id`, and `id`'s place in it.
    fn batch(&self, id: ObjId) -> (&NamedBatch, u32) {
        let b = self
            .batches
            .partition_point(|n| n.start <= id.0)
            .saturating_sub(1);
        let batch = &self.batches[b];
        (batch, id.0 - batch.start)
    }

    pub fn ident(&self, id: ObjId) -> &Ident {
        let (batch, local) = self.batch(id);
        &batch.idents[local as usize]
    }

    /// The suppressions written on the object.
    pub fn suppressions(&self, id: ObjId) -> &[crate::suppress::Written] {
        let (batch, local) = self.batch(id);
        match batch.suppressions.binary_search_by_key(&local, |(l, _)| *l) {
            Ok(i) => &batch.suppressions[i].1,
            Err(_) => &[],
        }
    }

    /// Every object that has suppressions, with them, in order.
    pub fn all_suppressions(
        &self,
    ) -> impl Iterator<Item = (ObjId, &[crate::suppress::Written])> + '_ {
        self.batches.iter().flat_map(|b| {
            b.suppressions
                .iter()
                .map(move |(l, w)| (ObjId(b.start + l), &w[..]))
        })
    }

    /// The template or base file the object was rendered from, if any.
    pub fn origin(&self, id: ObjId) -> Option<&std::sync::Arc<crate::diagnostic::Origin>> {
        let (batch, local) = self.batch(id);
        let i = batch
            .origins
            .binary_search_by_key(&local, |(l, _)| *l)
            .ok()?;
        Some(&batch.origins[i].1)
    }

    pub fn str(&self, s: Sym) -> &str {
        self.strings.get(s)
    }
}

/// Objects by (kind, namespace, name): their ids sorted by that key (4 bytes
/// an object, where a map of lists took over 100; the key is read from the
/// object's [`Ident`]), with a directory table for the few keys that many
/// objects share.
#[derive(Default)]
struct ByKey {
    /// Sorted by key; equal keys in canonical order of their objects.
    ids: Vec<ObjId>,
    /// (start of a group in `ids`, directory) → the group's first object
    /// there, for groups bigger than [`Near::SCAN`].
    first_in_dir: HashMap<(u32, u32), ObjId>,
}

impl ByKey {
    fn key(kind: Sym, ns: Option<Sym>, name: Sym) -> [u32; 3] {
        [kind.index(), ns.map_or(u32::MAX, Sym::index), name.index()]
    }

    fn key_of(i: &Ident) -> [u32; 3] {
        Self::key(i.kind, i.namespace, i.name)
    }

    /// Where the objects of `key` are in `ids`.
    fn range(&self, facts: &Facts, key: [u32; 3]) -> std::ops::Range<usize> {
        let key_at = |id: &ObjId| Self::key_of(facts.ident(*id));
        let start = self.ids.partition_point(|id| key_at(id) < key);
        let end = start + self.ids[start..].partition_point(|id| key_at(id) == key);
        start..end
    }
}

impl Facts {
    pub fn new(
        batches: Vec<BatchFacts>,
        strings: Strings,
        sources: &[SourceFile],
        inputs_incomplete: bool,
    ) -> Self {
        // Each batch keeps its objects' idents: moved into one list, they
        // would leave holes all over the heap that nothing later fills.
        let mut base = Vec::with_capacity(batches.len());
        let mut len = 0;
        for b in &batches {
            base.push(len as u32);
            len += b.idents.len();
        }
        let mut dir_ids: HashMap<&str, u32> = HashMap::new();
        let dirs = sources
            .iter()
            .map(|f| {
                let d = f.name.rsplit_once('/').map_or("", |(d, _)| d);
                let n = dir_ids.len() as u32;
                *dir_ids.entry(d).or_insert(n)
            })
            .collect();
        let mut facts = Facts {
            batches,
            strings,
            inputs_incomplete,
            base,
            len,
            dirs,
            by_key: ByKey::default(),
            backup_jobs: std::sync::OnceLock::new(),
            pod_tables: pods::Tables::default(),
            storage_classes: Default::default(),
        };
        let mut keyed: Vec<([u32; 3], ObjId)> = facts
            .idents()
            .map(|(id, i)| (ByKey::key_of(i), id))
            .collect();
        // Equal keys stay in canonical order.
        keyed.par_sort_unstable();
        let mut first_in_dir = HashMap::new();
        let mut start = 0;
        for group in keyed.chunk_by(|a, b| a.0 == b.0) {
            if group.len() > Near::SCAN {
                for &(_, id) in group {
                    let d = facts.dir(facts.ident(id).file);
                    first_in_dir.entry((start as u32, d)).or_insert(id);
                }
            }
            start += group.len();
        }
        // A list of its own: collected in place, it would keep the keys' room.
        let mut ids: Vec<ObjId> = Vec::with_capacity(keyed.len());
        ids.extend(keyed.iter().map(|&(_, id)| id));
        drop(keyed);
        facts.by_key = ByKey { ids, first_in_dir };
        facts
    }

    /// Build every table the rules share, now, before the rules run in
    /// parallel. Built on first use inside a rule, a table that uses rayon
    /// could make a worker wait on the `OnceLock` its own thread is filling
    /// (it steals another rule's task, which asks for the same table).
    /// No table's build asks for another table, so they are built at once.
    pub fn prepare(&self) {
        rayon::join(
            || self.pod_tables(),
            || {
                rayon::join(
                    || storage::classes::Tables::get(self),
                    || backup::backup_jobs(self),
                )
            },
        );
    }

    /// Who each object is, without the rest (see [`Names`]).
    pub fn into_names(self) -> Names {
        Names {
            batches: self
                .batches
                .into_iter()
                .zip(self.base)
                .map(|(b, start)| NamedBatch {
                    start,
                    idents: b.idents,
                    suppressions: b.suppressions,
                    origins: b.origins,
                })
                .collect(),
            strings: self.strings,
        }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn str(&self, s: Sym) -> &str {
        self.strings.get(s)
    }

    /// The id of the `local`-th object of `batch`.
    pub fn id(&self, batch: BatchId, local: usize) -> ObjId {
        ObjId(self.base[batch.0 as usize] + local as u32)
    }

    /// The batch of an object and its place in that batch.
    pub fn locate(&self, id: ObjId) -> (BatchId, usize) {
        // The last batch starting at or before `id` (empty batches share
        // their start with the next one).
        let batch = self
            .base
            .partition_point(|&start| start <= id.0)
            .saturating_sub(1);
        (BatchId(batch as u32), (id.0 - self.base[batch]) as usize)
    }

    pub fn ident(&self, id: ObjId) -> &Ident {
        let (batch, local) = self.locate(id);
        &self.batches[batch.0 as usize].idents[local]
    }

    /// The facts of the batch that holds `id`, and `id`'s place in it.
    pub fn batch_facts(&self, id: ObjId) -> (&BatchFacts, usize) {
        let (batch, local) = self.locate(id);
        (&self.batches[batch.0 as usize], local)
    }

    /// Every batch, with its id.
    pub fn batches(&self) -> impl Iterator<Item = (BatchId, &BatchFacts)> {
        self.batches
            .iter()
            .enumerate()
            .map(|(i, b)| (BatchId(i as u32), b))
    }

    /// Run `check` on every batch in parallel (see [`Facts::par_each`]);
    /// what they report is appended to `out` in batch order (the order one
    /// thread would report in).
    pub fn par_batches(
        &self,
        out: &mut FactSink,
        check: impl Fn(BatchId, &BatchFacts, &mut FactSink) + Sync,
    ) {
        let batches: Vec<(BatchId, &BatchFacts)> = self.batches().collect();
        self.par_each(out, &batches, |&(b, ff), out| check(b, ff, out));
    }

    /// Run `check` on every item in parallel, a run of items to a sink,
    /// and append what they report to `out` in the items' order. (A sink
    /// per item would hold more than the findings.)
    pub fn par_each<T: Sync>(
        &self,
        out: &mut FactSink,
        items: &[T],
        check: impl Fn(&T, &mut FactSink) + Sync,
    ) {
        use rayon::prelude::*;
        let sinks: Vec<FactSink> = items
            .par_chunks(items.len().div_ceil(256).max(1))
            .map(|run| {
                let mut sink = FactSink::default();
                for item in run {
                    check(item, &mut sink);
                }
                sink
            })
            .collect();
        for s in sinks {
            out.append(s);
        }
    }

    /// Every object, in canonical order.
    pub fn idents(&self) -> impl Iterator<Item = (ObjId, &Ident)> {
        (0..)
            .map(ObjId)
            .zip(self.batches.iter().flat_map(|b| &b.idents))
    }

    pub fn dir(&self, file: FileId) -> u32 {
        self.dirs.get(file.0 as usize).copied().unwrap_or(u32::MAX)
    }

    pub fn kind(&self, id: ObjId) -> &str {
        self.str(self.ident(id).kind)
    }

    pub fn name(&self, id: ObjId) -> &str {
        self.str(self.ident(id).name)
    }

    pub fn namespace(&self, id: ObjId) -> Option<&str> {
        self.ident(id).namespace.map(|n| self.str(n))
    }

    /// The objects of `kind` named `name` in `ns`, in canonical order.
    pub fn named(&self, ns: Option<Sym>, kind: Sym, name: Sym) -> &[ObjId] {
        &self.by_key.ids[self.by_key.range(self, ByKey::key(kind, ns, name))]
    }

    /// Objects that share kind, namespace and name, a group at a time (in
    /// canonical order within each group); objects with no other are left
    /// out.
    pub fn same_key_groups(&self) -> impl Iterator<Item = &[ObjId]> {
        let ids = &self.by_key.ids;
        let key_at = |id: &ObjId| ByKey::key_of(self.ident(*id));
        // Groups are mostly of one: walk them, do not search.
        ids.chunk_by(move |a, b| key_at(a) == key_at(b))
            .filter(|group| group.len() > 1)
    }

    /// The object of `kind` named `name` in `ns` nearest to `from` (see
    /// [`Facts::nearest`]).
    pub fn named_near(&self, from: FileId, ns: Option<Sym>, kind: Sym, name: Sym) -> Option<ObjId> {
        let range = self.by_key.range(self, ByKey::key(kind, ns, name));
        let start = range.start as u32;
        let ids = &self.by_key.ids[range];
        self.nearest_of(from, ids, |dir| {
            self.by_key.first_in_dir.get(&(start, dir)).copied()
        })
    }

    /// Of several candidates, the one nearest to `from`: the first in the
    /// same file, else the first in the same directory, else the first.
    /// Logarithmic in the group's size.
    pub fn nearest(&self, from: FileId, near: &Near) -> Option<ObjId> {
        self.nearest_of(from, &near.ids, |dir| near.first_in_dir.get(&dir).copied())
    }

    /// [`Facts::nearest`] of `ids` (in canonical order), with `first_in_dir`
    /// answering for groups bigger than [`Near::SCAN`].
    fn nearest_of(
        &self,
        from: FileId,
        ids: &[ObjId],
        first_in_dir: impl Fn(u32) -> Option<ObjId>,
    ) -> Option<ObjId> {
        let first = *ids.first()?;
        let at = ids.partition_point(|&i| self.ident(i).file < from);
        if let Some(&i) = ids.get(at).filter(|&&i| self.ident(i).file == from) {
            return Some(i);
        }
        let here = self.dir(from);
        let same_dir = if ids.len() > Near::SCAN {
            first_in_dir(here)
        } else {
            ids.iter()
                .copied()
                .find(|&i| self.dir(self.ident(i).file) == here)
        };
        Some(same_dir.unwrap_or(first))
    }
}

/// A rule that looks across objects, in two steps: [`FactRule::check`] runs
/// once every file is read, on the facts recorded while reading them.
pub trait FactRule: Sync {
    fn check(&self, facts: &Facts, out: &mut FactSink);
}

/// Where a finding of a [`FactRule`] is, already resolved.
#[derive(Clone, Debug)]
pub struct Draft {
    /// The object the rule was looking at (orders findings at equal
    /// positions as if rules ran object by object).
    pub subject: ObjId,
    /// The object reported on: its name, file and `stslint.io/ignore`.
    pub on: ObjId,
    pub field: String,
    pub span: ByteSpan,
    pub message: String,
    pub label: Option<Cow<'static, str>>,
    pub help: Option<Cow<'static, str>>,
    pub severity: Option<Severity>,
    pub related: Vec<(Span, String)>,
    pub fix: Option<crate::fix::Fix>,
}

/// The findings of one [`FactRule`], held as they come (see
/// [`crate::held`]).
#[derive(Default)]
pub struct FactSink {
    /// The last finding reported: the rule may still add to it.
    draft: Option<Draft>,
    held: crate::held::Held,
}

impl FactSink {
    /// Report on `subject` at `span` (the resolved span of `field`).
    pub fn report(
        &mut self,
        subject: ObjId,
        field: impl Into<String>,
        span: ByteSpan,
        message: impl Into<String>,
    ) -> &mut Draft {
        self.report_on(subject, subject, field, span, message)
    }

    /// Report on another object than the one looked at.
    pub fn report_on(
        &mut self,
        subject: ObjId,
        on: ObjId,
        field: impl Into<String>,
        span: ByteSpan,
        message: impl Into<String>,
    ) -> &mut Draft {
        self.hold_draft();
        self.draft.insert(Draft {
            subject,
            on,
            field: field.into(),
            span,
            message: message.into(),
            label: None,
            help: None,
            severity: None,
            related: Vec::new(),
            fix: None,
        })
    }

    fn hold_draft(&mut self) {
        if let Some(d) = self.draft.take() {
            let report = crate::held::Report {
                rule: None,
                subject: d.subject,
                seq: 0,
                on: d.on,
                field: &d.field,
                bytes: d.span,
                message: &d.message,
                label: d.label.as_ref().map(crate::held::Note::of),
                help: d.help.as_ref().map(crate::held::Note::of),
                severity: d.severity,
                fix: d.fix.as_ref(),
            };
            let related = d.related.iter().map(|(span, m)| (*span, m.as_str()));
            self.held.push(report, related, []);
        }
    }

    /// Move another sink's findings after this one's.
    pub fn append(&mut self, mut other: FactSink) {
        self.hold_draft();
        other.hold_draft();
        self.held.append(other.held);
    }

    /// What the rule `rule` reported.
    pub fn finish(mut self, rule: &'static str) -> crate::held::Held {
        self.hold_draft();
        self.held.set_rule(rule);
        self.held.shrink();
        self.held
    }

    /// The number of findings reported so far.
    pub fn len(&self) -> usize {
        self.held.len() + usize::from(self.draft.is_some())
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Draft {
    /// How to fix it: edits of the reported object's file (see
    /// [`crate::fix`]).
    pub fn fix(&mut self, fix: crate::fix::Fix) -> &mut Self {
        self.fix = Some(fix);
        self
    }

    pub fn label(&mut self, label: impl Into<Cow<'static, str>>) -> &mut Self {
        self.label = Some(label.into());
        self
    }

    pub fn help(&mut self, help: impl Into<Cow<'static, str>>) -> &mut Self {
        self.help = Some(help.into());
        self
    }

    pub fn severity(&mut self, severity: Severity) -> &mut Self {
        self.severity = Some(severity);
        self
    }

    /// A related location: `span` in the file of `object`.
    pub fn related(
        &mut self,
        file: FileId,
        span: ByteSpan,
        message: impl Into<String>,
    ) -> &mut Self {
        self.related
            .push((Span { file, bytes: span }, message.into()));
        self
    }
}
