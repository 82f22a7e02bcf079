//! `ephemeral-data` — documented in rules/ephemeral-data.md
//!
//! The rule runs while each file is read ([`crate::facts::storage::ephemeral`]);
//! here, only the findings of Redis containers left to a config file are
//! dropped when a ConfigMap the pod mounts turns persistence off.

use std::collections::HashSet;

use crate::facts::{FactRule, FactSink, Facts, Sym};

pub struct EphemeralData;

impl FactRule for EphemeralData {
    fn check(&self, facts: &Facts, out: &mut FactSink) {
        // Typed ConfigMaps with a redis.conf that turns persistence off, by
        // namespace and name.
        let mut off: HashSet<(Option<Sym>, Sym)> = HashSet::new();
        for (b, bf) in facts.batches() {
            for &local in &bf.storage.redis_off_configs {
                let ident = facts.ident(facts.id(b, local as usize));
                off.insert((ident.namespace, ident.name));
            }
        }
        for (b, bf) in facts.batches() {
            let st = &bf.storage;
            for d in &st.ephemeral {
                let id = facts.id(b, d.local as usize);
                if let Some((start, len)) = d.guard {
                    let ns = facts.ident(id).namespace;
                    let names = st.syms.get(start as usize..(start + len) as usize).unwrap_or_default();
                    if names.iter().any(|&n| off.contains(&(ns, n))) {
                        continue; // a cache by configuration
                    }
                }
                let r = out.report(id, d.field.clone(), d.span, d.message.clone()).label(d.label.clone()).help(d.help.clone());
                if let Some((span, msg)) = &d.related {
                    r.related(facts.ident(id).file, *span, msg.clone());
                }
            }
        }
    }
}
