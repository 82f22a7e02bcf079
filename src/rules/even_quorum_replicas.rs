//! `even-quorum-replicas` — documented in rules/even-quorum-replicas.md

use std::collections::{HashMap, HashSet};

use crate::facts::storage::quorum::Member;
use crate::facts::{FactRule, FactSink, Facts, BatchFacts, ObjId, Sym};

pub struct EvenQuorumReplicas;

/// StatefulSets by namespace, engine and one pod label pair, in canonical
/// order, with their replicas.
type Members = HashMap<(Option<Sym>, Sym, Sym, Sym), Vec<(ObjId, i32)>>;

fn labels<'f>(ff: &'f BatchFacts, m: &Member) -> &'f [(Sym, Sym)] {
    let at = m.labels_at as usize;
    ff.storage.labels.get(at..at + m.labels_len as usize).unwrap_or_default()
}

impl FactRule for EvenQuorumReplicas {
    fn check(&self, facts: &Facts, out: &mut FactSink) {
        // The (namespace, engine) of every subject: only those ensembles
        // are looked up.
        let mut wanted: HashSet<(Option<Sym>, Sym)> = HashSet::new();
        for (b, ff) in facts.batches() {
            for q in &ff.storage.even_quorum {
                let ident = facts.ident(facts.id(b, q.local as usize));
                wanted.insert((ident.namespace, q.engine));
            }
        }
        if wanted.is_empty() {
            return;
        }
        let mut members = Members::new();
        for (b, ff) in facts.batches() {
            let st = &ff.storage;
            for m in &st.members {
                let id = facts.id(b, m.local as usize);
                let ns = facts.ident(id).namespace;
                let at = m.engines_at as usize;
                for &e in st.syms.get(at..at + m.engines_len as usize).unwrap_or_default() {
                    if !wanted.contains(&(ns, e)) {
                        continue;
                    }
                    for &(k, v) in labels(ff, m) {
                        members.entry((ns, e, k, v)).or_default().push((id, m.replicas));
                    }
                }
            }
        }
        for (b, ff) in facts.batches() {
            for q in &ff.storage.even_quorum {
                let Some(me) = ff.storage.members.get(q.member as usize) else { continue };
                let id = facts.id(b, q.local as usize);
                let ns = facts.ident(id).namespace;
                // One ensemble split over several StatefulSets (persistent and
                // ephemeral members, one per zone) counts all its members: the
                // same store in the same namespace, pods sharing a label.
                let mut others: Vec<(ObjId, i32)> = labels(ff, me)
                    .iter()
                    .filter_map(|&(k, v)| members.get(&(ns, q.engine, k, v)))
                    .flatten()
                    .copied()
                    .filter(|&(o, _)| o != id)
                    .collect();
                others.sort_unstable_by_key(|&(o, _)| o);
                others.dedup_by_key(|&mut (o, _)| o);
                // Summed as the index-based rule did in release builds
                // (wrapping on overflow).
                let others = others.iter().fold(0i32, |s, &(_, r)| s.wrapping_add(r));
                let replicas = q.replicas;
                if replicas.wrapping_add(others) % 2 == 1 {
                    continue;
                }
                let majority = replicas / 2 + 1;
                out.report(
                    id,
                    "spec.replicas",
                    q.span,
                    format!(
                        "{} StatefulSet `{}` runs {replicas} members: a majority needs {majority}, so it survives {} failure(s), no more than {} members would, and a network split can leave no side with a majority",
                        q.store,
                        facts.name(id),
                        replicas - majority,
                        replicas - 1
                    ),
                )
                .label("even member count")
                .help(format!("run an odd number of members: {} (or {})", replicas - 1, replicas + 1));
            }
        }
    }
}
