//! stslint: a linter for Kubernetes manifests of stateful workloads.
//!
//! The pipeline runs one way: [`discover`] finds inputs → per file, in
//! parallel, [`manifest`] parses them (every node keeps its span, [`yaml`])
//! into typed objects, the rules that look at one object report findings at
//! field paths, and [`facts`] records what cross-object rules need before the
//! file is dropped → the cross-object [`rules`] run on the facts → [`engine`]
//! orders findings and resolves positions → [`report`] renders them.

pub mod api_versions;
pub mod apiserver;
pub mod backup;
pub mod baseline;
pub mod catalog;
pub mod cli;
pub mod config;
pub mod decode;
pub mod diagnostic;
pub mod discover;
pub mod disruption;
pub mod engine;
pub mod facts;
pub mod fix;
pub mod held;
pub mod lsp;
pub mod manifest;
pub mod path;
pub mod report;
pub mod rule;
pub mod rules;
pub mod schema;
pub mod secrets;
pub mod security;
pub mod selectors;
pub mod source;
pub mod spread;
pub mod storage;
pub mod suppress;
pub mod validation;
pub mod yaml;
