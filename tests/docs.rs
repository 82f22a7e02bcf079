//! Docs cannot rot: each rule's `Example` must make it fire and its
//! `Use instead` must not.

use stslint::rules::ALL;
use stslint::source::SourceFile;

use crate::support::lint_sources;

fn yaml_block<'a>(body: &'a str, heading: &str) -> &'a str {
    let section = body
        .split(heading)
        .nth(1)
        .unwrap_or_else(|| panic!("no {heading}"));
    let section = section.split("\n## ").next().unwrap_or(section);
    let start = section
        .find("```yaml\n")
        .unwrap_or_else(|| panic!("no yaml block under {heading}"))
        + 8;
    let end = section[start..].find("```").expect("closed block") + start;
    &section[start..end]
}

#[test]
fn examples_fire_and_fixes_do_not() {
    for e in ALL {
        for (heading, should_fire) in [("## Example", true), ("## Use instead", false)] {
            let yaml = yaml_block(e.doc, heading);
            let out = lint_sources(
                vec![SourceFile::new(format!("rules/{}.md", e.id), yaml)],
                &[e.id],
            );
            assert!(
                out.problems.is_empty(),
                "{}: {heading} does not parse: {:?}",
                e.id,
                out.problems
            );
            let fired = out.findings.iter().any(|f| f.rule == e.id);
            assert_eq!(
                fired,
                should_fire,
                "rules/{}.md: {heading} {}",
                e.id,
                if should_fire {
                    "does not fire"
                } else {
                    "fires"
                }
            );
        }
    }
}
