//! `duplicate-object` — documented in rules/duplicate-object.md

use crate::manifest::Object;
use crate::rule::{Context, Rule, Sink};

pub struct DuplicateObject;

impl Rule for DuplicateObject {
    fn check<'a>(&self, obj: &'a Object, cx: &Context<'a>, out: &mut Sink<'a>) {
        if obj.name.is_empty() {
            return; // `generateName`: every apply creates a new object
        }
        let ns = obj.namespace.as_deref();
        // Objects come in canonical order (file name, then position), so
        // "the first" is the same whatever the order of the command line.
        let Some(first) = cx
            .index
            .named(ns, &obj.kind, &obj.name)
            .find(|o| o.same_resource_type(obj))
        else {
            return;
        };
        if std::ptr::eq(first, obj) {
            return;
        }
        let where_ = if first.file == obj.file { "earlier in this file" } else { "in another file" };
        out.report(
            "metadata.name",
            format!(
                "{} `{}` is defined twice {}: applied together, the one applied last silently replaces the other",
                obj.kind,
                obj.name,
                crate::index::in_ns(ns),
            ),
        )
        .on_value()
        .label("a second object with this kind, namespace and name")
        .help(format!(
            "rename one of them, or give them different namespaces; if they are alternatives (per-environment copies, kustomize bases and overlays), lint each set on its own. Meanwhile stslint links other objects to the copy in their own file, else their own directory (the first one is {where_})"
        ))
        .related_value(first, "metadata.name", format!("{} `{}` is first defined here", first.kind, first.name));
    }
}
