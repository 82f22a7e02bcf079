//! stslint: a linter for Kubernetes manifests of stateful workloads.
//!
//! The pipeline runs one way: [`discover`] finds inputs → [`manifest`] parses
//! them (every node keeps its span, [`yaml`]) into typed objects → [`index`]
//! links objects across files → [`rules`] report findings at field paths →
//! [`engine`] resolves paths to spans → [`report`] renders them.

pub mod api_versions;
pub mod apiserver;
pub mod backup;
pub mod catalog;
pub mod cli;
pub mod decode;
pub mod diagnostic;
pub mod discover;
pub mod disruption;
pub mod engine;
pub mod facts;
pub mod index;
pub mod manifest;
pub mod path;
pub mod report;
pub mod rule;
pub mod rules;
pub mod schema;
pub mod secrets;
pub mod security;
pub mod source;
pub mod spread;
pub mod storage;
pub mod validation;
pub mod yaml;
