//! The StorageClass family (`missing-storage-class`, `single-zone-storage`,
//! `immediate-volume-binding`, `volume-expansion-disabled`): the claim
//! templates of StatefulSets and what each StorageClass says, and, once every
//! file is read, which class each claim resolves to ([`Tables`]).

use std::collections::HashMap;

use rayon::prelude::*;

use crate::manifest::{Object, Typed};
use crate::path::locate;
use crate::source::{ByteSpan, FileId};
use crate::spread::{spreads, Level};
use crate::storage::{
    claim_class_choice, is_default_class, pinned_zone, topology_constrained, zonal_disk,
    ClassChoice, CLASS_ANNOTATION,
};

use super::{Extract, FileStorage, Sym};
use crate::facts::{BatchFacts, BatchId, Facts, Near, ObjId};

/// How a claim template chooses its class (pre-provisioned volumes, `""`,
/// are left out).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Choice {
    /// By the beta annotation.
    Annotation(Sym),
    /// By `spec.storageClassName`.
    ClassName(Sym),
    /// Neither: the cluster default.
    Default,
}

/// A volumeClaimTemplate of a StatefulSet that asks for a class.
pub struct ClaimTemplate {
    /// Its place in `spec.volumeClaimTemplates`.
    pub index: u32,
    pub choice: Choice,
    /// `metadata.name` (`?` when unset).
    pub name: Sym,
    /// The value of [`ClaimTemplate::field`].
    pub span: ByteSpan,
}

impl ClaimTemplate {
    /// Where to point in the StatefulSet: the value naming the class, or the
    /// claim's name when the default class applies.
    pub fn field(&self) -> String {
        let i = self.index;
        match self.choice {
            Choice::Annotation(_) => crate::path::join_key(
                &format!("spec.volumeClaimTemplates[{i}].metadata.annotations"),
                CLASS_ANNOTATION,
            ),
            Choice::ClassName(_) => format!("spec.volumeClaimTemplates[{i}].spec.storageClassName"),
            Choice::Default => format!("spec.volumeClaimTemplates[{i}].metadata.name"),
        }
    }
}

/// A typed StatefulSet with claim templates that ask for a class:
/// `templates[at..at + len]` of its file.
pub struct StsClaims {
    pub local: u32,
    /// `spec.replicas`, 1 when unset (no HorizontalPodAutoscaler).
    pub replicas: i32,
    /// Its pods spread across zones ([`spreads`] at [`Level::Zone`]).
    pub zone_spread: bool,
    pub at: u32,
    pub len: u32,
}

/// Where a StorageClass rule points: the field's value when it is written,
/// else the class's name.
#[derive(Clone, Copy, Debug)]
pub struct Verdict {
    /// The field is in the source.
    pub written: bool,
    pub span: ByteSpan,
}

/// An object of kind `StorageClass` that is typed, or annotated as the
/// default (an untyped one still names the default class).
pub struct ClassFact {
    pub local: u32,
    pub typed: bool,
    pub default: bool,
    /// `immediate-volume-binding`: binds immediately while where volumes
    /// live constrains where pods run (`volumeBindingMode`).
    pub immediate: Option<Verdict>,
    /// `volume-expansion-disabled`: volumes cannot grow
    /// (`allowVolumeExpansion`).
    pub no_expansion: Option<Verdict>,
    /// `single-zone-storage`: the one zone the class allows, and the value
    /// of the field that says so.
    pub pinned: Option<(Sym, ByteSpan)>,
    /// `single-zone-storage`: the kind of zonal disk it provisions, and the
    /// value of `provisioner`.
    pub zonal: Option<(&'static str, ByteSpan)>,
}

pub fn extract(obj: &Object, local: u32, x: &Extract<'_>, facts: &mut FileStorage) {
    if obj.kind == "StorageClass" {
        class(obj, local, x, facts);
    }
    let Some(sts) = obj.statefulset() else { return };
    let at = facts.templates.len() as u32;
    for (i, vct) in sts.spec.volume_claim_templates.iter().flatten().enumerate() {
        let annotated = vct
            .metadata
            .annotations
            .as_ref()
            .is_some_and(|a| a.contains_key(CLASS_ANNOTATION));
        let (choice, field) = match claim_class_choice(vct, i) {
            ClassChoice::Static => continue,
            ClassChoice::Named { name, field } if annotated => {
                (Choice::Annotation(x.sym(&name)), field)
            }
            ClassChoice::Named { name, field } => (Choice::ClassName(x.sym(&name)), field),
            ClassChoice::Default => (
                Choice::Default,
                format!("spec.volumeClaimTemplates[{i}].metadata.name"),
            ),
        };
        let t = ClaimTemplate {
            index: i as u32,
            choice,
            name: x.sym(vct.metadata.name.as_deref().unwrap_or("?")),
            span: locate(&obj.node, &field, true).0,
        };
        debug_assert_eq!(t.field(), field);
        facts.templates.push(t);
    }
    let len = facts.templates.len() as u32 - at;
    if len == 0 {
        return;
    }
    let ns = obj.namespace.as_deref();
    facts.sts_claims.push(StsClaims {
        local,
        replicas: sts.spec.replicas.unwrap_or(1),
        zone_spread: obj.pod().is_some_and(|p| spreads(&p, ns, Level::Zone)),
        at,
        len,
    });
}

fn class(obj: &Object, local: u32, x: &Extract<'_>, facts: &mut FileStorage) {
    let default = is_default_class(obj);
    let Typed::StorageClass(sc) = &obj.typed else {
        if default {
            facts.classes.push(ClassFact {
                local,
                typed: false,
                default,
                immediate: None,
                no_expansion: None,
                pinned: None,
                zonal: None,
            });
        }
        return;
    };
    let at = |field: &str| {
        let written = obj.has(field);
        let field = if written { field } else { "metadata.name" };
        Verdict {
            written,
            span: locate(&obj.node, field, true).0,
        }
    };
    // Binds immediately (explicitly or by default) while where volumes live
    // constrains where pods run.
    let immediate = (sc
        .volume_binding_mode
        .as_deref()
        .is_none_or(|m| m == "Immediate")
        && topology_constrained(sc))
    .then(|| at("volumeBindingMode"));
    // Local volumes cannot grow whatever the class says.
    let no_expansion = (sc.allow_volume_expansion != Some(true)
        && sc.provisioner != "kubernetes.io/no-provisioner")
        .then(|| at("allowVolumeExpansion"));
    let pinned =
        pinned_zone(sc).map(|(zone, field)| (x.sym(&zone), locate(&obj.node, &field, true).0));
    let zonal = zonal_disk(sc).map(|kind| (kind, locate(&obj.node, "provisioner", true).0));
    facts.classes.push(ClassFact {
        local,
        typed: true,
        default,
        immediate,
        no_expansion,
        pinned,
        zonal,
    });
}

/// Which class each claim template resolves to, built once for the four
/// rules (see [`Tables::get`]).
pub struct Tables {
    /// Typed StorageClasses by name (cluster-scoped: namespaces are ignored).
    by_name: HashMap<Sym, Near>,
    /// Objects of kind `StorageClass` annotated as the default, typed or not.
    pub defaults: Near,
    /// Per claim template, batch after batch (as in
    /// [`FileStorage::templates`]; a batch's first at `starts[batch]`): the
    /// typed class it uses, the nearest one of its name or the nearest
    /// default (when the nearest default is not typed, none).
    resolved: Vec<Option<ObjId>>,
    starts: Vec<u32>,
    /// Each class's first user in canonical order: the StatefulSet, its
    /// batch and the claim template (its place in the batch's list).
    pub first_user: HashMap<ObjId, (ObjId, BatchId, usize)>,
}

impl Tables {
    pub fn get(facts: &Facts) -> &Tables {
        facts.storage_classes.get_or_init(|| Tables::build(facts))
    }

    fn build(facts: &Facts) -> Tables {
        let mut by_name: HashMap<Sym, Near> = HashMap::new();
        let mut defaults = Near::default();
        for (b, bf) in facts.batches() {
            for c in &bf.storage.classes {
                let id = facts.id(b, c.local as usize);
                if c.typed {
                    by_name
                        .entry(facts.ident(id).name)
                        .or_default()
                        .ids
                        .push(id);
                }
                if c.default {
                    defaults.ids.push(id);
                }
            }
        }
        for near in by_name.values_mut().chain(std::iter::once(&mut defaults)) {
            near.finish(facts);
        }
        let mut tables = Tables {
            by_name,
            defaults,
            resolved: Vec::new(),
            starts: Vec::with_capacity(facts.batches.len()),
            first_user: HashMap::new(),
        };
        let per_batch: Vec<Vec<Option<ObjId>>> = facts
            .batches
            .par_iter()
            .enumerate()
            .map(|(b, bf)| {
                let st = &bf.storage;
                let mut resolved = vec![None; st.templates.len()];
                for s in &st.sts_claims {
                    // Nearest to the StatefulSet's own file.
                    let file = facts
                        .ident(facts.id(BatchId(b as u32), s.local as usize))
                        .file;
                    let range = s.at as usize..(s.at + s.len) as usize;
                    let (Some(out), Some(templates)) =
                        (resolved.get_mut(range.clone()), st.templates.get(range))
                    else {
                        continue;
                    };
                    for (r, t) in out.iter_mut().zip(templates) {
                        *r = tables.resolve(facts, file, t);
                    }
                }
                resolved
            })
            .collect();
        for r in per_batch {
            tables.starts.push(tables.resolved.len() as u32);
            tables.resolved.extend(r);
        }
        let mut first_user = HashMap::new();
        for (b, bf) in facts.batches() {
            for s in &bf.storage.sts_claims {
                let sts = facts.id(b, s.local as usize);
                for (t, (_, class)) in tables.claims(facts, b, s).enumerate() {
                    if let Some(class) = class {
                        first_user
                            .entry(class)
                            .or_insert((sts, b, s.at as usize + t));
                    }
                }
            }
        }
        tables.first_user = first_user;
        tables
    }

    /// The typed class a claim template of `file` uses, if any.
    fn resolve(&self, facts: &Facts, file: FileId, t: &ClaimTemplate) -> Option<ObjId> {
        let class = match t.choice {
            Choice::Annotation(name) | Choice::ClassName(name) => {
                facts.nearest(file, self.by_name.get(&name)?)
            }
            Choice::Default => facts.nearest(file, &self.defaults),
        }?;
        class_fact(facts, class).filter(|c| c.typed)?;
        Some(class)
    }

    /// The claim templates of a StatefulSet, each with the typed class it
    /// uses, if any.
    pub fn claims<'f>(
        &'f self,
        facts: &'f Facts,
        batch: BatchId,
        s: &StsClaims,
    ) -> impl Iterator<Item = (&'f ClaimTemplate, Option<ObjId>)> + 'f {
        let ff = &facts.batches[batch.0 as usize];
        let range = s.at as usize..(s.at + s.len) as usize;
        let start = self.starts.get(batch.0 as usize).map_or(0, |&s| s as usize);
        let resolved = self
            .resolved
            .get(start + range.start..start + range.end)
            .unwrap_or_default();
        ff.storage
            .templates
            .get(range)
            .unwrap_or_default()
            .iter()
            .zip(resolved.iter().copied())
    }
}

impl Tables {
    /// Every claim template of every StatefulSet, in canonical order: the
    /// StatefulSet (id, its file, facts), the template and the typed class it
    /// uses.
    pub fn all_claims<'f>(
        &'f self,
        facts: &'f Facts,
    ) -> impl Iterator<
        Item = (
            ObjId,
            FileId,
            &'f StsClaims,
            &'f ClaimTemplate,
            Option<ObjId>,
        ),
    > + 'f {
        facts.batches().flat_map(move |(b, bf)| {
            bf.storage.sts_claims.iter().flat_map(move |s| {
                let sts = facts.id(b, s.local as usize);
                let file = facts.ident(sts).file;
                self.claims(facts, b, s)
                    .map(move |(t, class)| (sts, file, s, t, class))
            })
        })
    }
}

/// The facts of an object of kind `StorageClass`, when it recorded any.
pub fn class_fact(facts: &Facts, id: ObjId) -> Option<&ClassFact> {
    let (ff, local): (&BatchFacts, usize) = facts.batch_facts(id);
    let list = &ff.storage.classes;
    let at = list
        .binary_search_by_key(&(local as u32), |c| c.local)
        .ok()?;
    list.get(at)
}
