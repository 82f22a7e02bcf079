//! The parse-only floor: what reading and parsing the same files costs, with
//! no spans, no typed objects and no rules.
//!
//! Parser: serde_yaml 0.9 (deprecated, but the reference non-span parser).
//! Its maintained fork yaml_serde 0.10.7 (the same libyaml port) measured the
//! same within noise and never faster: on a 5,000-file generated corpus
//! (32.8 MB, seed 1, 2-core machine, median of 7) serde_yaml took 1.674 s at
//! -j1 and 0.856 s at -j2, yaml_serde 1.688 s and 0.879 s. So serde_yaml.
//! Bench-only: a crate of its own (a workspace member), never linked into the
//! stslint binary.
//!
//!     cargo build --release -p floor
//!     target/release/floor [-j N] PATH...
//!
//! Walks PATHs as stslint does (the `ignore` crate, `.gitignore` honoured,
//! hidden files skipped, no symlinks, *.yaml/*.yml/*.json), reads and parses
//! every file in parallel on N threads (default: one per core), every YAML
//! document into a `serde_json::Value`, and prints one line:
//!
//!     files=N documents=D objects=O bytes=B bad_files=E
//!
//! `objects` counts what stslint counts as objects: mappings with `apiVersion`
//! and `kind`, the items of a `kind: *List` instead of the List itself. A file
//! that cannot be read, is not UTF-8 or does not parse is counted in
//! `bad_files`, and the run goes on.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use rayon::prelude::*;
use serde::Deserialize;
use serde_json::Value;

const EXTENSIONS: &[&str] = &["yaml", "yml", "json"];

#[derive(Default, Clone, Copy)]
struct Count {
    files: u64,
    documents: u64,
    objects: u64,
    bytes: u64,
    bad_files: u64,
}

impl std::ops::Add for Count {
    type Output = Count;
    fn add(self, o: Count) -> Count {
        Count {
            files: self.files + o.files,
            documents: self.documents + o.documents,
            objects: self.objects + o.objects,
            bytes: self.bytes + o.bytes,
            bad_files: self.bad_files + o.bad_files,
        }
    }
}

fn main() -> ExitCode {
    let mut threads = None;
    let mut paths = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "-j" | "--threads" => threads = args.next().and_then(|n| n.parse::<usize>().ok()),
            "-h" | "--help" => {
                println!("usage: floor [-j N] PATH...");
                return ExitCode::SUCCESS;
            }
            _ => paths.push(PathBuf::from(a)),
        }
    }
    if paths.is_empty() {
        paths.push(PathBuf::from("."));
    }
    let mut pool = rayon::ThreadPoolBuilder::new();
    if let Some(n) = threads {
        pool = pool.num_threads(n.max(1));
    }
    if let Err(e) = pool.build_global() {
        eprintln!("floor: {e}");
        return ExitCode::from(2);
    }
    let files = match discover(&paths) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("floor: {e}");
            return ExitCode::from(2);
        }
    };
    let c = files
        .par_iter()
        .map(|p| parse_file(p))
        .reduce(Count::default, |a, b| a + b);
    println!(
        "files={} documents={} objects={} bytes={} bad_files={}",
        c.files, c.documents, c.objects, c.bytes, c.bad_files
    );
    ExitCode::SUCCESS
}

/// The files stslint reads for these paths, in its order (see src/discover.rs).
fn discover(paths: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let mut out = Vec::new();
    for p in paths {
        let meta = std::fs::metadata(p).map_err(|e| format!("{}: {e}", p.display()))?;
        if !meta.is_dir() {
            out.push(p.clone());
            continue;
        }
        let mut found = Vec::new();
        for entry in ignore::WalkBuilder::new(p).follow_links(false).build() {
            let entry = entry.map_err(|e| format!("{}: {e}", p.display()))?;
            let is_file = entry.file_type().is_some_and(|t| t.is_file());
            let ext_ok = entry
                .path()
                .extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| EXTENSIONS.iter().any(|x| x.eq_ignore_ascii_case(e)));
            if is_file && ext_ok {
                found.push(entry.into_path());
            }
        }
        found.sort();
        out.extend(found);
    }
    let mut seen = std::collections::HashSet::new();
    out.retain(|p| seen.insert(p.clone()));
    Ok(out)
}

fn read(path: &Path) -> Option<String> {
    let bytes = std::fs::read(path).ok()?;
    let mut text = String::from_utf8(bytes).ok()?;
    if text.starts_with('\u{feff}') {
        text.drain(..3);
    }
    Some(text)
}

fn parse_file(path: &Path) -> Count {
    let mut c = Count {
        files: 1,
        ..Count::default()
    };
    let Some(text) = read(path) else {
        c.bad_files = 1;
        return c;
    };
    c.bytes = text.len() as u64;
    for doc in serde_yaml::Deserializer::from_str(&text) {
        match Value::deserialize(doc) {
            Ok(v) => {
                c.documents += 1;
                c.objects += objects(&v);
            }
            Err(_) => {
                c.bad_files = 1;
                break;
            }
        }
    }
    c
}

/// How many Kubernetes objects stslint sees in one document.
fn objects(v: &Value) -> u64 {
    let (Some(_), Some(kind)) = (
        v.get("apiVersion").and_then(Value::as_str),
        v.get("kind").and_then(Value::as_str),
    ) else {
        return 0;
    };
    match v.get("items") {
        Some(items) if kind.ends_with("List") => items
            .as_array()
            .map_or(0, |items| items.iter().map(objects).sum()),
        _ => 1,
    }
}
