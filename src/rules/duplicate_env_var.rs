//! `duplicate-env-var` — documented in rules/duplicate-env-var.md

use std::collections::HashMap;

use crate::manifest::Object;
use crate::rule::{Rule, Sink};

pub struct DuplicateEnvVar;

impl Rule for DuplicateEnvVar {
    fn check<'a>(&self, obj: &'a Object, out: &mut Sink<'a>) {
        let Some(pod) = obj.pod() else { return };
        for c in pod.containers(true) {
            let mut first: HashMap<&str, usize> = HashMap::new();
            for (i, env) in c.container.env.iter().flatten().enumerate() {
                let Some(&j) = first.get(env.name.as_str()) else {
                    first.insert(env.name.as_str(), i);
                    continue;
                };
                let what = if c.init { "init container" } else { "container" };
                out.report(
                    format!("{}.env[{i}]", c.path),
                    format!(
                        "environment variable `{}` is set twice in {what} `{}` of {} `{}`: only the later entry takes effect, so the earlier one is silently ignored",
                        env.name, c.container.name, obj.kind, obj.name
                    ),
                )
                .label("set again here")
                .help(format!("keep one `{}` entry: delete the one whose value you do not want (a value set from a Secret at one place and hard-coded at the other is a common cause)", env.name))
                .related(obj, format!("{}.env[{j}]", c.path), "first set here")
                // Either value may be a credential: never show them.
                .secret(format!("{}.env[{i}].value", c.path))
                .secret(format!("{}.env[{j}].value", c.path));
            }
        }
    }
}
