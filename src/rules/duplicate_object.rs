//! `duplicate-object` — documented in rules/duplicate-object.md

use crate::facts::{FactRule, FactSink, Facts, ObjId};
use crate::selectors::in_ns;
use crate::manifest::{api_group, is_builtin_type};
use crate::source::FileId;

pub struct DuplicateObject;

impl FactRule for DuplicateObject {
    fn check(&self, facts: &Facts, out: &mut FactSink) {
        // Two objects are the same resource when kind, namespace and name
        // match and so does the API group, every built-in group counting as
        // one. Objects come in canonical order (file name, then position), so
        // "the first" is the same whatever the order of the command line.
        // The objects that share kind, namespace and name come from the
        // facts' index; only those are split by API group.
        let mut copies: Vec<(FileId, FileId, ObjId, ObjId)> = Vec::new();
        let mut by_group: Vec<(&str, ObjId)> = Vec::new();
        for same in facts.same_key_groups() {
            if facts.name(same[0]).is_empty() {
                continue;
            }
            by_group.clear();
            by_group.extend(same.iter().map(|&id| {
                let (kind, api_version) = (facts.kind(id), facts.str(facts.ident(id).api_version));
                let group = if is_builtin_type(kind, api_version) { "" } else { api_group(api_version) };
                (group, id)
            }));
            // Stable: each group's objects stay in canonical order.
            by_group.sort_by_key(|&(group, _)| group);
            for same in by_group.chunk_by(|a, b| a.0 == b.0) {
                let first = same[0].1;
                for &(_, copy) in &same[1..] {
                    copies.push((facts.ident(copy).file, facts.ident(first).file, copy, first));
                }
            }
        }
        // One finding per pair of files: two bundles that are alternatives
        // (an HA and a plain install) repeat dozens of objects.
        copies.sort_unstable();
        let groups: Vec<Vec<(ObjId, ObjId)>> = copies
            .chunk_by(|a, b| (a.0, a.1) == (b.0, b.1))
            .map(|g| g.iter().map(|&(_, _, copy, first)| (copy, first)).collect())
            .collect();
        for group in groups {
            let (obj, first) = group[0];
            let name_value = |id: ObjId| {
                let (ff, local) = facts.batch_facts(id);
                (facts.ident(id).file, ff.name_values[local])
            };
            let others = match group.len() - 1 {
                0 => String::new(),
                1 => ", and so does 1 more object of this file".to_string(),
                n => format!(", and so do {n} more objects of this file"),
            };
            let where_ = if facts.ident(first).file == facts.ident(obj).file { "earlier in this file" } else { "in another file" };
            let (_, at) = name_value(obj);
            let (first_file, first_at) = name_value(first);
            let d = out
                .report(
                    obj,
                    "metadata.name",
                    at,
                    format!(
                        "{} `{}` is defined twice{} (first {where_}){others}: applied together, the one applied last silently replaces the other",
                        facts.kind(obj),
                        facts.name(obj),
                        facts.namespace(obj).map_or(String::new(), |ns| format!(" {}", in_ns(Some(ns)))),
                    ),
                )
                .label("a second object with this kind, namespace and name")
                .help("rename one of them, or give them different namespaces; if the files are alternatives (an HA and a plain bundle, per-environment copies, kustomize bases and overlays), lint each set on its own. Meanwhile stslint links other objects to the copy in their own file, else their own directory")
                .related(first_file, first_at, format!("{} `{}` is first defined here", facts.kind(first), facts.name(first)));
            for &(other, _) in group.iter().skip(1).take(2) {
                let (f, at) = name_value(other);
                d.related(f, at, format!("{} `{}` is defined twice too", facts.kind(other), facts.name(other)));
            }
        }
    }
}
