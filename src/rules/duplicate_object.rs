//! `duplicate-object` — documented in rules/duplicate-object.md

use std::collections::HashMap;

use crate::facts::{FactRule, FactSink, Facts, ObjId};
use crate::index::in_ns;
use crate::manifest::{api_group, is_builtin_type};
use crate::source::FileId;

pub struct DuplicateObject;

impl FactRule for DuplicateObject {
    fn check(&self, facts: &Facts, out: &mut FactSink) {
        // Two objects are the same resource when kind, namespace and name
        // match and so does the API group, every built-in group counting as
        // one. Objects come in canonical order (file name, then position), so
        // "the first" is the same whatever the order of the command line.
        let mut first: HashMap<(&str, Option<&str>, &str, &str), ObjId> = HashMap::new();
        let mut copies: Vec<(ObjId, ObjId)> = Vec::new();
        for (id, ident) in facts.idents() {
            let name = facts.str(ident.name);
            if name.is_empty() {
                continue;
            }
            let (kind, api_version) = (facts.str(ident.kind), facts.str(ident.api_version));
            let group = if is_builtin_type(kind, api_version) { "" } else { api_group(api_version) };
            let key = (kind, ident.namespace.map(|n| facts.str(n)), name, group);
            match first.get(&key) {
                None => {
                    first.insert(key, id);
                }
                Some(&f) => copies.push((id, f)),
            }
        }
        // One finding per pair of files: two bundles that are alternatives
        // (an HA and a plain install) repeat dozens of objects.
        let mut by_files: HashMap<(FileId, FileId), Vec<(ObjId, ObjId)>> = HashMap::new();
        for &(copy, f) in &copies {
            by_files
                .entry((facts.ident(copy).file, facts.ident(f).file))
                .or_default()
                .push((copy, f));
        }
        let mut groups: Vec<&Vec<(ObjId, ObjId)>> = by_files.values().collect();
        groups.sort_by_key(|g| g[0].0);
        for group in groups {
            let (obj, first) = group[0];
            let name_value = |id: ObjId| {
                let (ff, local) = facts.file_facts(id);
                (ff.idents[local].file, ff.name_values[local])
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
