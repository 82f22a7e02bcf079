//! Every input a fuzz target ever failed on (`fuzz/regressions/<target>/`),
//! replayed through the same oracle on every `cargo test`.

#[allow(dead_code)] // the fuzz crate uses all of it; these tests use the targets
#[path = "../fuzz/src/oracle.rs"]
mod oracle;

fn inputs(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = crate::support::root().join("fuzz/regressions").join(target);
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| {
            let p = e.expect("an entry").path();
            (
                p.display().to_string(),
                std::fs::read(&p).expect("readable"),
            )
        })
        .collect();
    out.sort();
    assert!(!out.is_empty(), "no regression inputs for {target}");
    out
}

#[test]
fn every_pipeline_regression_passes_the_oracle() {
    for (name, data) in inputs("pipeline") {
        let run = std::panic::catch_unwind(|| oracle::pipeline(&data));
        assert!(run.is_ok(), "{name}");
    }
}

#[test]
fn every_parser_regression_passes_the_oracle() {
    for (name, data) in inputs("parser") {
        let run = std::panic::catch_unwind(|| oracle::parser(&data));
        assert!(run.is_ok(), "{name}");
    }
}

#[test]
fn every_config_regression_passes_the_oracle() {
    for (name, data) in inputs("config") {
        let run = std::panic::catch_unwind(|| oracle::config(&data));
        assert!(run.is_ok(), "{name}");
    }
}

/// The oracle can fail: a flagged value in an output is caught.
#[test]
fn the_credential_oracle_sees_a_flagged_value() {
    let files = oracle::files(b"apiVersion: p\nkind: BEGINA PRIVATE KEY\n");
    assert_eq!(oracle::flagged_only(&files), ["BEGINA PRIVATE KEY"]);
    let two = oracle::files(
        b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata:\n  db_password: Hunter2Secret1\n\n#--- next file ---\napiVersion: v1\nkind: Service\nmetadata: {name: Hunter2Secret1}\n",
    );
    // the second file holds the value as a name: shown there, not flagged
    assert!(oracle::flagged_only(&two).is_empty());
}
