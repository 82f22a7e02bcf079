//! The registry, rules/*.md and fixtures/*/ must agree.

use std::collections::BTreeSet;
use std::fs;

use stslint::rule::parse_doc;
use stslint::rules::ALL;

use crate::support::root;

fn names_in(dir: &str, ext: Option<&str>) -> BTreeSet<String> {
    fs::read_dir(root().join(dir))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| match ext {
            Some(x) => p.extension().is_some_and(|e| e == x),
            None => p.is_dir(),
        })
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().to_string();
            match ext {
                Some(x) => name
                    .strip_suffix(&format!(".{x}"))
                    .unwrap_or(&name)
                    .to_string(),
                None => name,
            }
        })
        .collect()
}

#[test]
fn registry_docs_and_fixtures_agree() {
    let registered: BTreeSet<String> = ALL.iter().map(|e| e.id.to_string()).collect();
    assert_eq!(
        registered,
        names_in("rules", Some("md")),
        "rules/*.md vs the registry"
    );
    assert_eq!(
        registered,
        names_in("fixtures", None),
        "fixtures/*/ vs the registry"
    );
}

#[test]
fn every_doc_has_front_matter_and_the_four_sections() {
    for e in ALL {
        let meta = parse_doc(e.id, e.doc).unwrap_or_else(|err| panic!("{err}"));
        for h in [
            "## What it does",
            "## Why it matters",
            "## Example",
            "## Use instead",
        ] {
            assert!(meta.body.contains(h), "rules/{}.md lacks `{h}`", e.id);
        }
        assert!(
            !meta.summary.ends_with('.'),
            "rules/{}.md: summary ends with a period",
            e.id
        );
        assert!(
            e.doc.contains("\nseed:"),
            "rules/{}.md: front matter names no seed source",
            e.id
        );
        check_references(e.id, e.doc, &meta.references);
    }
}

/// `references:` holds 1 to 3 well-formed `[title](https://…)` links, and
/// nothing that `parse_links` silently dropped.
fn check_references(id: &str, doc: &str, references: &[(String, String)]) {
    let front = doc
        .strip_prefix("---\n")
        .and_then(|rest| rest.split("\n---\n").next())
        .unwrap_or_default();
    let line = front
        .lines()
        .find_map(|l| l.strip_prefix("references:"))
        .map(str::trim)
        .unwrap_or_else(|| panic!("rules/{id}.md: no `references:` line in the front matter"));
    assert!(
        (1..=6).contains(&references.len()),
        "rules/{id}.md: give 1 to 6 references, not {}",
        references.len()
    );
    let rendered: Vec<String> = references
        .iter()
        .map(|(title, url)| format!("[{title}]({url})"))
        .collect();
    assert_eq!(
        rendered.join("; "),
        line,
        "rules/{id}.md: a reference is not a well-formed `[title](url)` link (links are `; `-separated)"
    );
    for (title, url) in references {
        assert!(
            !title.trim().is_empty() && title.trim() == title,
            "rules/{id}.md: empty or padded reference title `{title}`"
        );
        let host = url.strip_prefix("https://").unwrap_or_else(|| {
            panic!("rules/{id}.md: reference `{title}` is not an https:// URL: {url}")
        });
        assert!(
            !host.starts_with('/')
                && host.split('/').next().is_some_and(|h| h.contains('.'))
                && !url
                    .chars()
                    .any(|c| c.is_whitespace() || c == '<' || c == '>'),
            "rules/{id}.md: reference `{title}` has a malformed URL: {url}"
        );
    }
}

#[test]
fn ids_are_kebab_case_and_sorted() {
    let ids: Vec<&str> = ALL.iter().map(|e| e.id).collect();
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(ids, sorted, "keep the registry in id order");
    for id in ids {
        assert!(
            id.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.'),
            "{id}"
        );
    }
}

#[test]
fn readme_rule_table_matches_the_docs() {
    let readme = fs::read_to_string(root().join("README.md")).unwrap();
    let table = readme
        .split("<!-- rules-table:start -->")
        .nth(1)
        .and_then(|t| t.split("<!-- rules-table:end -->").next())
        .expect("README has the rules table markers");
    let rows: Vec<String> = table
        .lines()
        .filter(|l| l.starts_with("| `"))
        .map(str::to_string)
        .collect();
    let want: Vec<String> = stslint::rules::metas()
        .iter()
        .map(|m| {
            let references: Vec<String> = m
                .references
                .iter()
                .map(|(title, url)| format!("[{}]({url})", title.replace('|', "\\|")))
                .collect();
            format!(
                "| `{}` | {} | {} | {} |",
                m.id,
                m.severity,
                m.summary,
                references.join("; ")
            )
        })
        .collect();
    assert_eq!(rows, want, "README rule table is out of date");
}
