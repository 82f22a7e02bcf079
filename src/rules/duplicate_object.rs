//! `duplicate-object` — documented in rules/duplicate-object.md

use crate::index::in_ns;
use crate::manifest::Object;
use crate::rule::{Context, Rule, Sink};

pub struct DuplicateObject;

impl Rule for DuplicateObject {
    fn check<'a>(&self, obj: &'a Object, cx: &Context<'a>, out: &mut Sink<'a>) {
        // Objects come in canonical order (file name, then position), so
        // "the first" is the same whatever the order of the command line.
        let Some((first, group)) = cx.index.duplicate_of(obj) else { return };
        // One finding per pair of files: two bundles that are alternatives
        // (an HA and a plain install) repeat dozens of objects.
        if !group.first().is_some_and(|g| std::ptr::eq(*g, obj)) {
            return;
        }
        let others = match group.len() - 1 {
            0 => String::new(),
            1 => ", and so does 1 more object of this file".to_string(),
            n => format!(", and so do {n} more objects of this file"),
        };
        let where_ = if first.file == obj.file { "earlier in this file" } else { "in another file" };
        let p = out
            .report(
                "metadata.name",
                format!(
                    "{} `{}` is defined twice{} (first {where_}){others}: applied together, the one applied last silently replaces the other",
                    obj.kind,
                    obj.name,
                    obj.namespace.as_deref().map_or(String::new(), |ns| format!(" {}", in_ns(Some(ns)))),
                ),
            )
            .on_value()
            .label("a second object with this kind, namespace and name")
            .help("rename one of them, or give them different namespaces; if the files are alternatives (an HA and a plain bundle, per-environment copies, kustomize bases and overlays), lint each set on its own. Meanwhile stslint links other objects to the copy in their own file, else their own directory")
            .related_value(first, "metadata.name", format!("{} `{}` is first defined here", first.kind, first.name));
        for other in group.iter().skip(1).take(2) {
            p.related_value(other, "metadata.name", format!("{} `{}` is defined twice too", other.kind, other.name));
        }
    }
}
