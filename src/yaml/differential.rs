//! The event builder against the reference (serde-saphyr, the old reader): the
//! same documents, values, spans and styles, or the same error at the same
//! offset, on every fixture, example and real manifest and on deterministic
//! mutations of them.
//!
//! Three differences are deliberate, and the only ones accepted here:
//! - an error inside an alias expansion ends with "(defined at line L, column
//!   C)" where the old message had a location and a dangling "(used";
//! - a block scalar is `Style::Block` even where the old text heuristic said
//!   `Plain` (`|` followed by a tab and a comment, or by a blank line that
//!   holds spaces);
//! - more than 32 comment lines in a row no longer fail ("too many buffered
//!   comments while looking ahead"): comments are not data.

use std::path::{Path, PathBuf};

use super::{parse_documents_as_kubectl, reference, Node, Style, Value, YamlError};
use crate::source::SourceFile;

/// How many mutated inputs the test checks (each parsed twice, in a debug build).
const MUTATIONS: usize = 3000;
/// Mutate files up to this size: large files cost time, not coverage.
const MUTATE_MAX_BYTES: usize = 8 * 1024;

pub(super) fn corpus() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in ["fixtures", "examples", "../shared/conformance/real"] {
        files_under(&root.join(dir), &mut files);
    }
    files.sort();
    files
        .into_iter()
        .filter_map(|p| {
            let text = std::fs::read_to_string(&p).ok()?;
            Some((p.display().to_string(), text))
        })
        .collect()
}

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue; // absent (the shared corpus is optional)
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                todo.push(p);
            } else {
                out.push(p);
            }
        }
    }
}

/// xorshift64: deterministic, no dependency.
pub(super) struct Rng(pub(super) u64);

impl Rng {
    pub(super) fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n.max(1) as u64) as usize
    }
}

/// Snippets inserted by mutation: structure, anchors and aliases, merge keys,
/// tags, quotes, tabs, non-ASCII text, and scalars that resolve to non-strings.
const SNIPPETS: &[&str] = &[
    "- ",
    ": ",
    "&a ",
    "*a",
    " *a ",
    "- *a",
    "<<: *a",
    "<<: [*a]",
    "<<: {x: 1}",
    "<<: ",
    "&b [*a, *a]",
    "\t",
    "\"",
    "'",
    "é",
    "\u{1F600}",
    "{",
    "[",
    "? ",
    "!!str ",
    "!Ref ",
    "~",
    "null: ",
    "1: ",
    "|",
    ">-",
    "---",
    "#",
    "  ",
    ".inf",
    "0x1F",
];

pub(super) fn mutate(text: &str, rng: &mut Rng) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    if lines.is_empty() {
        lines.push(String::new());
    }
    for _ in 0..1 + rng.below(3) {
        let i = rng.below(lines.len());
        match rng.below(6) {
            0 => {
                lines.remove(i);
                if lines.is_empty() {
                    lines.push(String::new());
                }
            }
            1 => {
                let line = lines[i].clone();
                lines.insert(i, line);
            }
            2 => {
                let j = rng.below(lines.len());
                lines.swap(i, j);
            }
            _ => {
                let snippet = SNIPPETS[rng.below(SNIPPETS.len())];
                let line = &mut lines[i];
                let mut at = rng.below(line.len() + 1);
                while !line.is_char_boundary(at) {
                    at -= 1;
                }
                line.insert_str(at, snippet);
            }
        }
    }
    let mut out = lines.join("\n");
    if text.ends_with('\n') {
        out.push('\n');
    }
    out
}

/// The message without the alias suffixes (see the module comment).
fn comparable(e: &YamlError) -> (String, Option<u32>) {
    let mut m = e.message.clone();
    if m.contains(" (defined at line ") {
        for cut in [" (defined at line ", " at line "] {
            if let Some(i) = m.find(cut) {
                m.truncate(i);
            }
        }
    }
    (m, e.offset)
}

/// Equal nodes, except that a block scalar may have been `Plain` before.
fn same_node(old: &Node, new: &Node) -> bool {
    let style_ok =
        old.style == new.style || (old.style == Style::Plain && new.style == Style::Block);
    if old.span != new.span || !style_ok {
        return false;
    }
    match (&old.value, &new.value) {
        (Value::Seq(a), Value::Seq(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| same_node(x, y))
        }
        (Value::Map(a), Value::Map(b)) => {
            a.len() == b.len()
                && a.iter().zip(b).all(|(x, y)| {
                    x.key == y.key && x.key_span == y.key_span && same_node(&x.value, &y.value)
                })
        }
        (Value::Float(a), Value::Float(b)) => a.to_bits() == b.to_bits(),
        (a, b) => a == b,
    }
}

/// Where the lenient reading applies (see `lenient.rs`), it must keep every
/// span inside the original text, on character boundaries.
fn check_lenient(file: &SourceFile) -> Option<String> {
    let Ok((super::Stream { docs, .. }, lenient)) = parse_documents_as_kubectl(file) else {
        return None;
    };
    let text: &str = &file.text;
    let ok = |s: crate::source::ByteSpan| {
        s.start <= s.end
            && (s.end as usize) <= text.len()
            && text.is_char_boundary(s.start as usize)
            && text.is_char_boundary(s.end as usize)
    };
    let mut bad = lenient.iter().map(|l| l.span).filter(|s| !ok(*s)).count();
    let mut todo: Vec<&Node> = docs.iter().collect();
    while let Some(n) = todo.pop() {
        bad += usize::from(!ok(n.span));
        match &n.value {
            Value::Seq(items) => todo.extend(items),
            Value::Map(entries) => {
                for e in entries {
                    bad += usize::from(!ok(e.key_span));
                    todo.push(&e.value);
                }
            }
            _ => {}
        }
    }
    (lenient.is_empty() || bad > 0).then(|| format!("lenient: {bad} bad spans, {lenient:?}"))
}

const EXPANSION: &str = "alias expansion limit exceeded";

/// `None` when the two readers agree, else what differs.
fn compare(text: &str) -> Option<String> {
    let file = SourceFile::new("t.yaml", text);
    let old = reference::parse_documents(&file);
    // The reference stops at the first error; so does the strict reading.
    let new = super::parse_documents(&file);
    if matches!(&new, Err(e) if e.message == super::UNDER_INDENTED) {
        if let Some(bad) = check_lenient(&file) {
            return Some(bad);
        }
    }
    let agree = match (&old, &new) {
        (Ok(a), Ok(b)) => a.len() == b.len() && a.iter().zip(b).all(|(x, y)| same_node(x, y)),
        // Alias expansion has a per-file allowance the reference did not:
        // where it applies first, it is the error.
        (_, Err(b)) if b.message.starts_with(EXPANSION) => match &old {
            Ok(_) => true,
            Err(a) => a.message.contains("budget") || a.message.contains("replay limit"),
        },
        (Err(a), Err(b)) => comparable(a) == comparable(b),
        (Err(a), Ok(_)) => a.message == "too many buffered comments while looking ahead",
        (Ok(_), Err(_)) => false,
    };
    (!agree).then(|| format!("old: {old:?}\nnew: {new:?}"))
}

/// Run `f` on a thread with room for the reference's recursion (a debug build
/// of serde-saphyr nests deep stack frames per YAML level).
fn with_big_stack(f: impl FnOnce() + Send + 'static) {
    std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(f)
        .expect("spawn")
        .join()
        .unwrap_or_else(|e| std::panic::resume_unwind(e));
}

#[test]
fn the_builder_reads_what_serde_saphyr_read() {
    with_big_stack(corpus_agrees);
}

fn corpus_agrees() {
    let files = corpus();
    assert!(files.len() > 100, "fixtures and examples are missing");
    let failures = differences(&files, MUTATIONS, 0x9E37_79B9_7F4A_7C15, mutate, compare);
    assert!(
        failures.is_empty(),
        "{} inputs differ; first:\n{}",
        failures.len(),
        failures[0]
    );
}

/// What `compare` reports on every file and on `count` mutations of the
/// small ones (`mutate` makes each from a file and the generator), each
/// with the input it is about.
pub(super) fn differences(
    files: &[(String, String)],
    count: usize,
    seed: u64,
    mut mutate: impl FnMut(&str, &mut Rng) -> String,
    compare: impl Fn(&str) -> Option<String>,
) -> Vec<String> {
    let mut failures = Vec::new();
    for (name, text) in files {
        if let Some(diff) = compare(text) {
            failures.push(format!("{name}\n{diff}"));
        }
    }
    let small: Vec<&(String, String)> = files
        .iter()
        .filter(|(_, t)| t.len() <= MUTATE_MAX_BYTES)
        .collect();
    let mut rng = Rng(seed.max(1));
    for k in 0..count {
        let (name, text) = small[k % small.len()];
        let mutated = mutate(text, &mut rng);
        if let Some(diff) = compare(&mutated) {
            failures.push(format!("mutation {k} of {name}:\n{mutated}\n{diff}"));
        }
    }
    failures
}

/// Hand-written cases for what the corpus rarely has: scalar resolution,
/// tags, keys, aliases, merge keys, budgets.
#[test]
fn the_builder_agrees_on_edge_cases() {
    with_big_stack(edge_cases_agree);
}

fn edge_cases_agree() {
    let mut cases: Vec<String> = [
        "a: ~\nb: null\nc: Null\nd: NULL\ne: nUll\nf:\ng: True\nh: TRUE\ni: tRue\n",
        "a: 0x1F\nb: 0o17\nc: 1_000\nd: +1\ne: -0\nf: 0755\ng: -0755\nh: 00\ni: 01.5\n",
        "a: 9223372036854775807\nb: 9223372036854775808\nc: -9223372036854775809\n",
        "a: 18446744073709551616\nb: 0x8000000000000000\nc: 0xFFFFFFFFFFFFFFFFF\n",
        "a: 1.5\nb: 1e3\nc: .5\nd: 0.\ne: 1e-400\nf: 1__0\ng: 12e\nh: 0x\ni: 1_000.5\n",
        "a: yes\nb: on\nc: NaN\nd: inf\ne: 2001-12-14\nf: 1:20\n",
        "v: .inf\n",
        "v: -.Inf\n",
        "v: .nan\n",
        "v: 1e309\n",
        "v: !!float .inf\n",
        "a: !!str 1\nb: !!int \"3\"\nc: !!binary aGVsbG8=\nd: !Ref x\ne: !!float 1\n",
        "a: !!null x\nb: !!int 0x10\nc: !!int -5\nd: !Ref 12\ne: !Ref ~\nf: !!str ~\n",
        "a: !\nb: ! 12\nc: !!str\nd: !Ref\ne: !!binary\nf: !<tag:yaml.org,2002:int> \"7\"\n",
        "v: !!bool yes\n",
        "v: !!int 1.5\n",
        "v: !!int -x\n",
        "v: !!float abc\n",
        "v: !!binary xyz\n",
        "v: !!binary \"/w==\"\n",
        "v: !!timestamp 2001-12-14\n",
        "v: !!map [1]\n",
        "v: !!str [1]\n",
        "v: !include [1]\n",
        "%TAG !e! tag:yaml.org,2002:\n---\na: !e!int 5\nb: !e!str 5\n",
        "1: a\ntrue: b\n0x1F: c\n\"q\": d\n",
        "null: c\n",
        "~: d\n",
        ": e\n",
        "!!int 1: a\n",
        "!!binary aGVsbG8=: a\n",
        "? [a, b]\n: c\n",
        "? {a: 1}\n: c\n",
        "x: &a 1\ny: *a\nz: &m {p: 1, q: [2, 3]}\nw: *m\n",
        "a: &a\n  b: 1\n*a : 2\n",
        "a: &n ~\n*n : 1\n",
        "a: &a [1, *a]\n",
        "a: &a {*a: 1}\n",
        "a: &a {<<: *a}\n",
        "a: *nope\n",
        "--- &a 1\n--- *a\n",
        "base: &b\n  x: 1\n  y: 2\nd:\n  <<: *b\n  y: 3\n  z: 4\n",
        "d:\n  <<: {x: 1, y: 2}\n  y: 3\n",
        "d:\n  <<:\n    x: 1\n    \"y\": 2\n  z: 3\n",
        "d:\n  <<: [{x: 1}, {x: 2, w: 5}]\n  y: 3\n",
        "a: &a {x: 1}\nb: &b {x: 2, y: 2}\nd:\n  <<: [*a, *b]\n  z: 3\n",
        "m: &m {1: a, 0x1: b, '1': c}\nd:\n  <<: *m\n  +1: z\n",
        "m: &m [{a: 1}, {a: 2, b: 3}]\nd:\n  <<: *m\n",
        "d:\n  <<: ~\n  a: 1\n",
        "d:\n  '<<': {x: 1}\n",
        "d:\n  !!merge <<: {a: 1}\n",
        "d: {<<: 1}\n",
        "d: {<<: [{a: 1}, 2]}\n",
        "d: {<<: {<<: 5}}\n",
        "d: {x: 1, <<: {x: .inf}}\n",
        "d: {<<: {y: .inf}, x: 1}\n",
        "d: {<<: {null: 1}}\n",
        "d: {<<: {y: &q .inf}, y: 1}\ne: *q\n",
        "---\n---\n~\n---\nnull\n---\n!!null x\n--- !Ref ~\n---\n''\n",
        "",
        "# only a comment\n",
        "a: |\n  text\nb: >-\n  folded\nc: 'x'\nd: |\ne: 1\n",
        "a: [1, 2\nb: 3\n",
        "key: \"multi\nline\"\n",
        "x: [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]\n",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    // Nesting at and past the limit, block and flow.
    cases.push(format!("x: {}{}\n", "[".repeat(128), "]".repeat(128)));
    cases.push(format!("x: {}{}\n", "[".repeat(5000), "]".repeat(5000)));
    cases.push(
        (0..140)
            .map(|i| format!("{}k:\n", "  ".repeat(i)))
            .collect(),
    );
    // Too many documents, too many aliases for the anchors, an alias bomb.
    cases.push("---\n".repeat(1100));
    cases.push(format!("a: &a 1\nb: [{}]\n", vec!["*a"; 120].join(",")));
    cases.push(format!("a: &a 1\nb: [{}]\n", vec!["*a"; 99].join(",")));
    let mut bomb = String::from(
        "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    for w in ["a", "b", "c", "d", "e", "f", "g", "h"].windows(2) {
        let refs = vec![format!("*{}", w[0]); 9].join(",");
        bomb.push_str(&format!("{}: &{} [{}]\n", w[1], w[1], refs));
    }
    cases.push(bomb);
    let mut failures = Vec::new();
    for case in &cases {
        if let Some(diff) = compare(case) {
            failures.push(format!("{case:?}\n{diff}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
